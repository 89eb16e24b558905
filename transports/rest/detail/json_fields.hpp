#pragma once
// Reading the members of the REST channel's JSON objects and writing them
// back (private to transports/rest). The reader keeps the first problem, with
// the field's path, for the 400 answer: a missing or mistyped field, and any
// member the operation does not have (a misspelt key is never ignored).

#include "core/errors.hpp"
#include "core/json_text.hpp"

#include <boost/container/small_vector.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qaqpa::rest::detail {

/// The first problem found while reading one request.
struct problems {
    std::string first;
    void add(std::string text) {
        if (first.empty()) first = std::move(text);
    }
    bool any() const { return !first.empty(); }
    failure failed() const { return fail(errc::invalid_request, first); }
};

class object_reader {
public:
    /// `value` null: a missing object already reported (reads give nothing).
    /// `path` (for messages) must outlive the reader.
    object_reader(const boost::json::value* value, std::string_view path, problems& p);
    ~object_reader(); ///< reports the members nobody asked for

    object_reader(const object_reader&) = delete;
    object_reader& operator=(const object_reader&) = delete;

    std::optional<std::string> optional_string(std::string_view key);
    std::string required_string(std::string_view key);
    std::optional<std::int64_t> optional_integer(std::string_view key);
    /// The member's value whatever its type (null counts as absent when `needed` is false).
    const boost::json::value* member(std::string_view key, bool needed);
    /// An object member; null (reported when needed) when absent.
    const boost::json::value* object(std::string_view key, bool needed);
    /// An array member's elements; empty when absent.
    const boost::json::array* array(std::string_view key);

    std::string path(std::string_view key) const;
    problems& report() { return problems_; }

private:
    const boost::json::value* find(std::string_view key);

    const boost::json::object* object_ = nullptr;
    std::string_view path_;
    problems& problems_;
    boost::container::small_vector<std::string_view, 12> asked_;
};

/// Writes a JSON object's members in order; strings escaped, raw values as given.
class json_writer {
public:
    explicit json_writer(std::string& out) : out_(out) {}

    json_writer& open(std::string_view key = {});  ///< '{' (as `key`'s value inside an object)
    json_writer& close();                          ///< '}'
    json_writer& open_array(std::string_view key); ///< '['
    json_writer& close_array();                    ///< ']'
    json_writer& string(std::string_view key, std::string_view value);
    json_writer& optional(std::string_view key, const std::optional<std::string>& value) {
        return value ? string(key, *value) : *this;
    }
    json_writer& raw(std::string_view key, std::string_view json_text);

private:
    void member(std::string_view key);
    std::string& out_;
    bool first_ = true;
};

} // namespace qaqpa::rest::detail
