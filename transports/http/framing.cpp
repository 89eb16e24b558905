#include "transports/http/framing.hpp"

#include <algorithm>

namespace qaqpa::http {
namespace {

bool is_tchar(unsigned char c) {
    if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    const char l = static_cast<char>(c | 0x20);
    if (l >= 'a' && l <= 'f') return l - 'a' + 10;
    return -1;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

/// Skips a token at `i`; false when there is none.
bool skip_token(std::string_view s, std::size_t& i) {
    const auto from = i;
    while (i < s.size() && is_tchar(static_cast<unsigned char>(s[i]))) ++i;
    return i > from;
}

/// Skips a quoted-string at `i` (which is at its opening quote); false when
/// it is unterminated or holds a byte a quoted-string may not.
bool skip_quoted(std::string_view s, std::size_t& i) {
    for (++i; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"') {
            ++i;
            return true;
        }
        if (c == '\\') {
            if (++i == s.size()) return false;
            const auto q = static_cast<unsigned char>(s[i]);
            if (q < 0x20 && q != '\t') return false;
            if (q == 0x7f) return false;
            continue;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    }
    return false;
}

/// chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
bool valid_extensions(std::string_view s) {
    std::size_t i = 0;
    auto skip_space = [&] {
        while (i < s.size() && is_space(s[i])) ++i;
    };
    for (;;) {
        skip_space();
        if (i == s.size()) return true;
        if (s[i] != ';') return false;
        ++i;
        skip_space();
        if (!skip_token(s, i)) return false;
        skip_space();
        if (i < s.size() && s[i] == '=') {
            ++i;
            skip_space();
            if (i < s.size() && s[i] == '"') {
                if (!skip_quoted(s, i)) return false;
            } else if (!skip_token(s, i)) {
                return false;
            }
        }
    }
}

framing refuse(status s, std::string_view reason) { return {framing::kind::refused, s, reason}; }

} // namespace

framing check_framing(const beast_http::fields& head, unsigned version) {
    const auto codings = head.equal_range(beast_http::field::transfer_encoding);
    const auto count = std::distance(codings.first, codings.second);
    if (count == 0) return {framing::kind::length, status::ok, {}};
    if (head.count(beast_http::field::content_length) > 0)
        return refuse(status::bad_request, "both Content-Length and Transfer-Encoding");
    if (count > 1) return refuse(status::bad_request, "more than one Transfer-Encoding header");
    if (version < 11) return refuse(status::bad_request, "Transfer-Encoding on an HTTP/1.0 request");
    if (!iequals(trim(codings.first->value()), "chunked"))
        return refuse(status::not_implemented, "unsupported Transfer-Encoding (only \"chunked\" is accepted)");
    return {framing::kind::chunked, status::ok, {}};
}

chunked_decoder::state chunked_decoder::feed(std::string_view in, std::size_t& consumed, std::string& body) {
    std::size_t i = 0;
    auto done = [&](state s) {
        consumed = i;
        return s;
    };
    for (;;) {
        switch (step_) {
        case step::data: {
            const auto n = std::min(remaining_, in.size() - i);
            body.append(in.substr(i, n));
            i += n;
            remaining_ -= n;
            if (remaining_ > 0) return done(state::more);
            step_ = step::data_end;
            break;
        }
        case step::data_end: {
            const auto left = in.size() - i;
            if (left >= 1 && in[i] != '\r') return done(fail(state::malformed, "chunk data not followed by CRLF"));
            if (left >= 2 && in[i + 1] != '\n') return done(fail(state::malformed, "chunk data not followed by CRLF"));
            if (left < 2) return done(state::more);
            i += 2;
            step_ = step::size_line;
            break;
        }
        case step::size_line:
        case step::trailer: {
            const auto rest = in.substr(i);
            const auto lf = rest.find('\n');
            const auto cr = rest.find('\r');
            if (lf == std::string_view::npos) {
                if (cr != std::string_view::npos && cr + 1 < rest.size())
                    return done(fail(state::malformed, "a chunk line holds a bare CR"));
                if (rest.size() > max_line) return done(fail(state::malformed, "a chunk line is too long"));
                return done(state::more);
            }
            if (lf == 0 || rest[lf - 1] != '\r') return done(fail(state::malformed, "a chunk line ends in a bare LF"));
            if (cr < lf - 1) return done(fail(state::malformed, "a chunk line holds a bare CR"));
            const auto line = rest.substr(0, lf - 1);
            if (line.size() > max_line) return done(fail(state::malformed, "a chunk line is too long"));
            i += lf + 1;
            const auto s = step_ == step::size_line ? size_line(line, body.size()) : trailer_line(line);
            if (s != state::more) return done(s);
            break;
        }
        case step::finished:
            return done(state::done);
        }
    }
}

chunked_decoder::state chunked_decoder::size_line(std::string_view line, std::size_t decoded) {
    std::size_t digits = 0;
    std::size_t size = 0;
    for (; digits < line.size() && hex_value(line[digits]) >= 0; ++digits) {
        if (digits == 15) return fail(state::malformed, "a chunk size has too many digits");
        size = size * 16 + static_cast<std::size_t>(hex_value(line[digits]));
    }
    if (digits == 0) return fail(state::malformed, "a chunk line does not start with a hex size");
    if (!valid_extensions(line.substr(digits))) return fail(state::malformed, "a chunk extension is malformed");
    if (size == 0) {
        step_ = step::trailer;
        return state::more;
    }
    if (size > max_body_ || decoded + size > max_body_) return fail(state::too_large, "request body too large");
    remaining_ = size;
    step_ = step::data;
    return state::more;
}

chunked_decoder::state chunked_decoder::trailer_line(std::string_view line) {
    if (line.empty()) {
        step_ = step::finished;
        return state::done;
    }
    trailer_bytes_ += line.size() + 2;
    if (trailer_bytes_ > max_trailers) return fail(state::malformed, "the trailer section is too large");
    std::size_t i = 0;
    if (!skip_token(line, i) || i == line.size() || line[i] != ':')
        return fail(state::malformed, "a trailer line is not a header field");
    return state::more;
}

} // namespace qaqpa::http
