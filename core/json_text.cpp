#include "core/json_text.hpp"

#include "core/utf8.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

namespace qaqpa {

void append_json_escaped(std::string& out, std::string_view text) {
    std::string repaired;
    if (!valid_utf8(text)) {
        repaired = to_valid_utf8(text);
        text = repaired;
    }
    // runs that need no escape are appended whole
    const auto plain = [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\'; };
    std::size_t i = 0;
    for (;;) {
        const auto start = i;
        while (i < text.size() && plain(text[i])) ++i;
        out.append(text.data() + start, i - start);
        if (i == text.size()) return;
        switch (const char c = text[i++]) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: out += fmt::format("\\u{:04x}", static_cast<int>(c));
        }
    }
}

namespace {

/// Payloads nest deeper than Boost.JSON's default of 32; as deep as XML's bound.
boost::json::value parse_payload(std::string_view text, boost::system::error_code& ec) {
    boost::json::parse_options options;
    options.max_depth = 256;
    return boost::json::parse(text, ec, {}, options);
}

} // namespace

namespace {

/// Keeps nothing: the parser alone judges the text.
struct null_handler {
    using ec = boost::system::error_code;
    using sv = boost::json::string_view;
    static constexpr std::size_t max_object_size = -1;
    static constexpr std::size_t max_array_size = -1;
    static constexpr std::size_t max_key_size = -1;
    static constexpr std::size_t max_string_size = -1;
    bool on_document_begin(ec&) { return true; }
    bool on_document_end(ec&) { return true; }
    bool on_object_begin(ec&) { return true; }
    bool on_object_end(std::size_t, ec&) { return true; }
    bool on_array_begin(ec&) { return true; }
    bool on_array_end(std::size_t, ec&) { return true; }
    bool on_key_part(sv, std::size_t, ec&) { return true; }
    bool on_key(sv, std::size_t, ec&) { return true; }
    bool on_string_part(sv, std::size_t, ec&) { return true; }
    bool on_string(sv, std::size_t, ec&) { return true; }
    bool on_number_part(sv, ec&) { return true; }
    bool on_int64(std::int64_t, sv, ec&) { return true; }
    bool on_uint64(std::uint64_t, sv, ec&) { return true; }
    bool on_double(double, sv, ec&) { return true; }
    bool on_bool(bool, ec&) { return true; }
    bool on_null(ec&) { return true; }
    bool on_comment_part(sv, ec&) { return true; }
    bool on_comment(sv, ec&) { return true; }
};

} // namespace

std::optional<json_flaw> find_json_flaw(std::string_view text, std::size_t max_depth) {
    boost::json::parse_options options;
    options.max_depth = max_depth;
    boost::json::basic_parser<null_handler> parser(options);
    boost::system::error_code ec;
    const auto used = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && used < text.size()) ec = boost::json::error::extra_data;
    if (!ec) return std::nullopt;
    return json_flaw{ec.message(), used};
}

std::optional<std::string> json_string_contents(std::string_view text) {
    boost::system::error_code ec;
    const auto v = parse_payload(text, ec);
    if (ec || !v.is_string()) return std::nullopt;
    return std::string(v.get_string());
}

} // namespace qaqpa
