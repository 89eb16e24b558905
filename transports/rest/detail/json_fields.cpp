#include "transports/rest/detail/json_fields.hpp"

#include <boost/json/object.hpp>

#include <algorithm>

namespace qaqpa::rest::detail {

object_reader::object_reader(const boost::json::value* value, std::string_view path, problems& p)
    : path_(path), problems_(p) {
    if (!value) return;
    if (!value->is_object()) p.add(std::string(path_) + " must be an object");
    else object_ = &value->get_object();
}

object_reader::~object_reader() {
    if (!object_) return;
    for (const auto& m : *object_)
        if (std::find(asked_.begin(), asked_.end(), std::string_view(m.key())) == asked_.end())
            problems_.add(path(m.key()) + " is not a field here");
}

std::string object_reader::path(std::string_view key) const {
    std::string out;
    out.reserve(path_.size() + 1 + key.size());
    out.append(path_).append(1, '/').append(key);
    return out;
}

const boost::json::value* object_reader::find(std::string_view key) {
    if (!object_) return nullptr;
    asked_.push_back(key);
    const auto* v = object_->if_contains(key);
    return v && !v->is_null() ? v : nullptr;
}

const boost::json::value* object_reader::member(std::string_view key, bool needed) {
    if (!object_) return nullptr;
    asked_.push_back(key);
    const auto* v = object_->if_contains(key);
    if (!v && needed) problems_.add(path(key) + " is missing");
    if (v && v->is_null() && !needed) return nullptr;
    return v;
}

std::optional<std::string> object_reader::optional_string(std::string_view key) {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
        problems_.add(path(key) + " must be a string");
        return std::nullopt;
    }
    return std::string(v->get_string());
}

std::string object_reader::required_string(std::string_view key) {
    auto v = optional_string(key);
    if (!v && object_ && (!object_->if_contains(key) || object_->at(key).is_null())) problems_.add(path(key) + " is missing");
    return v.value_or(std::string());
}

std::optional<std::int64_t> object_reader::optional_integer(std::string_view key) {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) return static_cast<std::int64_t>(std::min<std::uint64_t>(v->get_uint64(), INT64_MAX));
    problems_.add(path(key) + " must be an integer");
    return std::nullopt;
}

const boost::json::value* object_reader::object(std::string_view key, bool needed) {
    const auto* v = find(key);
    if (!v) {
        if (needed && object_) problems_.add(path(key) + " is missing");
        return nullptr;
    }
    if (!v->is_object()) {
        problems_.add(path(key) + " must be an object");
        return nullptr;
    }
    return v;
}

const boost::json::array* object_reader::array(std::string_view key) {
    const auto* v = find(key);
    if (!v) return nullptr;
    if (!v->is_array()) {
        problems_.add(path(key) + " must be an array");
        return nullptr;
    }
    return &v->get_array();
}

void json_writer::member(std::string_view key) {
    if (!first_) out_.push_back(',');
    first_ = false;
    if (key.empty()) return;
    out_.push_back('"');
    append_json_escaped(out_, key);
    out_.append("\":");
}

json_writer& json_writer::open(std::string_view key) {
    member(key);
    out_.push_back('{');
    first_ = true;
    return *this;
}

json_writer& json_writer::close() {
    out_.push_back('}');
    first_ = false;
    return *this;
}

json_writer& json_writer::open_array(std::string_view key) {
    member(key);
    out_.push_back('[');
    first_ = true;
    return *this;
}

json_writer& json_writer::close_array() {
    out_.push_back(']');
    first_ = false;
    return *this;
}

json_writer& json_writer::string(std::string_view key, std::string_view value) {
    member(key);
    out_.push_back('"');
    append_json_escaped(out_, value);
    out_.push_back('"');
    return *this;
}

json_writer& json_writer::raw(std::string_view key, std::string_view json_text) {
    member(key);
    out_.append(json_text);
    return *this;
}

} // namespace qaqpa::rest::detail
