#pragma once
// The configuration file's reader, shared by load_config (the whole file) and
// the admin API's registry edits (one entry as JSON, read as the same table):
// one set of checks, one set of messages. Private to core/.

#include "core/config.hpp"

#include <toml++/toml.h>

#include <fmt/format.h>

#include <limits>
#include <set>
#include <string>
#include <string_view>

namespace qaqpa::detail {

/// Thrown inside the parser only; load_config turns it into a failure.
struct config_error {
    std::string key;
    std::string reason;
};

/// Reads one TOML table, remembering which keys it consumed so that unknown
/// keys can be rejected by name.
class table_reader {
public:
    table_reader(const toml::table& t, std::string path) : table_(t), path_(std::move(path)) {}

    std::string key_path(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }

    const toml::node* get(std::string_view key) {
        used_.insert(std::string(key));
        return table_.get(key);
    }

    std::optional<std::string> text(std::string_view key) {
        const auto* n = get(key);
        if (!n) return std::nullopt;
        if (!n->is_string()) throw config_error{key_path(key), "must be a string"};
        return n->value<std::string>();
    }

    std::string required_text(std::string_view key) {
        auto v = text(key);
        if (!v) throw config_error{key_path(key), "required key is missing"};
        if (v->empty()) throw config_error{key_path(key), "must not be empty"};
        return *v;
    }

    std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) {
        const auto* n = get(key);
        if (!n) return std::nullopt;
        if (!n->is_integer()) throw config_error{key_path(key), "must be an integer"};
        const auto v = *n->value<std::int64_t>();
        if (v < min || v > max)
            throw config_error{key_path(key), fmt::format("must be between {} and {}", min, max)};
        return v;
    }

    template <class T>
    void read_int(std::string_view key, T& out, std::int64_t min, std::int64_t max) {
        if (auto v = integer(key, min, max)) out = static_cast<T>(*v);
    }

    /// Reads a string key that must name one of a fixed set of values.
    template <class T, class Parse>
    void read_choice(std::string_view key, T& out, Parse parse, std::string_view allowed) {
        auto v = text(key);
        if (!v) return;
        auto parsed = parse(*v);
        if (!parsed) throw config_error{key_path(key), "must be " + std::string(allowed)};
        out = *parsed;
    }

    void read_bool(std::string_view key, bool& out) {
        const auto* n = get(key);
        if (!n) return;
        if (!n->is_boolean()) throw config_error{key_path(key), "must be true or false"};
        out = *n->value<bool>();
    }

    const toml::table* subtable(std::string_view key) {
        const auto* n = get(key);
        if (!n) return nullptr;
        if (!n->is_table()) throw config_error{key_path(key), "must be a table"};
        return n->as_table();
    }

    std::vector<std::string> strings(std::string_view key) {
        std::vector<std::string> out;
        const auto* n = get(key);
        if (!n) return out;
        const auto* arr = n->as_array();
        if (!arr) throw config_error{key_path(key), "must be an array of strings"};
        for (const auto& item : *arr) {
            if (!item.is_string()) throw config_error{key_path(key), "must be an array of strings"};
            out.push_back(*item.value<std::string>());
        }
        return out;
    }

    /// Rejects keys nobody asked for: a typo must not be silently ignored.
    void finish() const {
        for (const auto& [k, v] : table_)
            if (!used_.count(std::string(k.str()))) throw config_error{key_path(k.str()), "unknown key"};
    }

private:
    const toml::table& table_;
    std::string path_;
    std::set<std::string> used_;
};

constexpr std::int64_t int_max = std::numeric_limits<int>::max();

template <class F>
void for_each_entry(table_reader& r, std::string_view key, F&& f) {
    const auto* n = r.get(key);
    if (!n) return;
    const auto* arr = n->as_array();
    if (!arr) throw config_error{std::string(key), "must be an array of tables ([[" + std::string(key) + "]])"};
    std::size_t i = 0;
    for (const auto& item : *arr) {
        const auto path = fmt::format("{}[{}]", key, i++);
        if (!item.is_table()) throw config_error{path, "must be a table"};
        table_reader er(*item.as_table(), path);
        f(er);
        er.finish();
    }
}

/// The registry's tables ([[systems]] …), appended to c.bootstrap; plain
/// passwords go to c.plain_passwords.
void read_systems(table_reader& r, config& c);
void read_peers(table_reader& r, config& c);
void read_delivery_points(table_reader& r, config& c);
void read_services(table_reader& r, config& c);
void read_access(table_reader& r, config& c);
/// Ids unique, every reference names an entry that exists.
void check_references(const registry& reg);
/// Every security_mode (points, access rows) one the gateway can apply with
/// `security`: a mode it cannot apply would forward unsigned traffic where
/// signatures were asked for, or let unchecked callers through.
void check_security_modes(const registry& reg, const security_config& security);
/// An outbound address the gateway can reach: http:// or builtin:echo.
void check_url(const std::string& url, const std::string& key);

} // namespace qaqpa::detail
