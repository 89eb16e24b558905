#pragma once
// Reading and writing the unqualified children of SOAP operation elements;
// shared by the channel codecs (private to transports/soap).

#include "core/json_text.hpp"
#include "core/utf8.hpp"
#include "transports/soap/xml.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qaqpa::soap::detail {

/// Reads the unqualified children of one element; the first problem found
/// is kept, with its path, for the fault message. The path is a literal and
/// is only spelled out when there is a problem (no allocation otherwise).
class field_reader {
public:
    field_reader(const xml_node* node, std::string_view path) : node_(node), path_(path) {}

    std::optional<std::string> optional(std::string_view local) {
        const auto* n = child(node_, local);
        if (!n || is_nil(n)) return std::nullopt;
        auto t = text_of(n);
        if (!t) problem(local, "must be text");
        else if (!valid_utf8(*t)) encoding_problem(local);
        return t;
    }

    std::string required(std::string_view local) {
        auto v = optional(local);
        if (!v) {
            problem(local, "is missing");
            return {};
        }
        return *v;
    }

    const xml_node* element(std::string_view local, bool needed) {
        const auto* n = child(node_, local);
        if ((!n || is_nil(n)) && needed) problem(local, "is missing");
        return n && !is_nil(n) ? n : nullptr;
    }

    std::string path(std::string_view local) const {
        std::string out;
        out.reserve(path_.size() + 1 + local.size());
        out.append(path_).append(1, '/').append(local); // (operator+ trips GCC 12's -Wrestrict at -O3)
        return out;
    }

    void problem(std::string_view local, std::string_view what) {
        if (error_.empty()) error_ = path(local) + " " + std::string(what);
    }

    /// The field's bytes are not UTF-8: its own fault code, and the bytes
    /// are never quoted.
    void encoding_problem(std::string_view local) {
        if (!error_.empty()) return;
        problem(local, "is not valid UTF-8");
        code_ = errc::bad_encoding;
    }

    const std::string& error() const { return error_; }
    /// The first problem as a failure (BAD_ENVELOPE or INVALID_ENCODING).
    failure failed() const { return fail(code_, error_); }
    void adopt(const field_reader& inner) {
        if (!error_.empty()) return;
        error_ = inner.error_;
        code_ = inner.code_;
    }

private:
    const xml_node* node_;
    std::string_view path_;
    std::string error_;
    errc code_ = errc::bad_envelope;
};

inline void append_optional(std::string& out, std::string_view name, const std::optional<std::string>& v) {
    if (v) append_element(out, name, *v);
}

inline void append_payload(std::string& out, std::string_view container, const message_payload& data) {
    out.append(1, '<').append(container).append(1, '>');
    if (data.present) {
        out.append("<data");
        if (!data.attributes.empty()) out.append(1, ' ').append(data.attributes);
        out.append(1, '>');
        // A JSON value travels as its text (README "REST and SOAP").
        if (data.format == payload_format::json) append_escaped(out, data.content);
        else out.append(data.content);
        out.append("</data>");
    }
    out.append("</").append(container).append(1, '>');
}

/// Reads a SenderInfo (senderId, password?) into `out`; problems go to `parent`.
inline void read_sender(field_reader& parent, const xml_node* sender, std::string_view path, sender_info& out) {
    field_reader s(sender, path);
    out.sender_id = s.required("senderId");
    out.password = s.optional("password");
    parent.adopt(s);
}

/// Reads every `properties` child (key, value) of `parent_node`.
inline void read_properties(field_reader& parent, const xml_node* parent_node, std::string_view path,
                            std::vector<property>& out) {
    for (auto* p = first_element(parent_node); p; p = next_element(p)) {
        if (local_name(p) != "properties") continue;
        field_reader pr(p, path);
        property prop{pr.required("key"), pr.optional("value").value_or("")};
        parent.adopt(pr);
        out.push_back(std::move(prop));
    }
}

inline void append_sender(std::string& out, const sender_info& s) {
    out.append("<sender>");
    append_element(out, "senderId", s.sender_id);
    append_optional(out, "password", s.password);
    out.append("</sender>");
}

inline void append_property(std::string& out, std::string_view key, std::string_view value) {
    out.append("<properties>");
    append_element(out, "key", key);
    append_element(out, "value", value);
    out.append("</properties>");
}

/// The properties, and the mark of a JSON payload carried as text.
inline void append_properties(std::string& out, const std::vector<property>& props, const message_payload& data) {
    for (const auto& p : props) append_property(out, p.key, p.value);
    if (data.present && data.format == payload_format::json) append_property(out, data_format_property, "json");
}

/// A payload marked as JSON text (qaqpa.dataFormat = json: what the gateway
/// wrote for a REST sender's value) becomes that JSON value again, and the
/// mark is dropped; a SOAP party passes a REST party's data on unchanged.
inline result<void> adopt_marked_json(std::vector<property>& props, const xml_node* data, message_payload& out,
                                      std::string_view path) {
    const auto is_mark = [](const property& p) { return p.key == data_format_property || p.key == data_attributes_property; };
    if (std::count_if(props.begin(), props.end(), is_mark) > 1 ||
        std::any_of(props.begin(), props.end(), [](const property& p) { return p.key == data_attributes_property; }))
        return fail(errc::bad_envelope, "property " + std::string(data_format_property) +
                                            " is the gateway's mark: at most once on SOAP, and " +
                                            std::string(data_attributes_property) + " never");
    const auto mark = std::find_if(props.begin(), props.end(), [](const property& p) { return p.key == data_format_property; });
    if (mark == props.end()) return {};
    const std::string where = std::string(path) + "/data";
    if (mark->value != "json")
        return fail(errc::bad_envelope, "property " + std::string(data_format_property) + " must be \"json\" on SOAP");
    if (!data) return fail(errc::bad_envelope, where + " is missing (" + std::string(data_format_property) + " = json)");
    auto text = text_of(data);
    if (!text) return fail(errc::bad_envelope, where + " must be JSON text (" + std::string(data_format_property) + " = json)");
    if (!is_json_value(*text)) return fail(errc::bad_envelope, where + " is not a JSON value");
    out = {true, payload_format::json, {}, std::move(*text)};
    props.erase(mark);
    return {};
}

} // namespace qaqpa::soap::detail
