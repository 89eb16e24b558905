#pragma once
// How a request's body is framed, decided strictly (RFC 9112 §6, §7.1).
// Beast treats a Transfer-Encoding whose final coding is not "chunked"
// (`xchunked`, `chunked, identity`) as no body at all, and then reads the
// body's bytes as the next request: request smuggling. So the listener
// checks the framing headers itself and decodes chunked bodies with its own
// strict decoder, which fails at once on a malformed chunk line instead of
// waiting for a CRLF that never comes.
//
// Whenever the framing is in doubt the request is answered and the
// connection closed; no further request is read from it.

#include "transports/http/message.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace qaqpa::http {

struct framing {
    enum class kind { length, chunked, refused };
    kind how = kind::length;
    status refusal = status::ok; ///< when refused: 400 or 501
    std::string_view reason;     ///< when refused: what is wrong, for the answer
};

/// Reads the framing headers of a request head (Transfer-Encoding and
/// Content-Length): exactly one Transfer-Encoding whose value is "chunked"
/// → chunked; none → Content-Length (Beast has checked its syntax); any
/// other coding → 501; both headers, several Transfer-Encodings, or a
/// Transfer-Encoding on HTTP/1.0 → 400.
framing check_framing(const beast_http::fields& head, unsigned version);

/// Decodes a chunked body incrementally: feed() what has arrived, as often
/// as needed. Chunk lines and trailer lines end in CRLF (a bare CR or LF is
/// an error), hold a hex size (at most 15 digits) and bounded extensions;
/// trailers are checked and discarded.
class chunked_decoder {
public:
    enum class state { more, done, malformed, too_large };

    /// Longest chunk-size line (size and extensions) or trailer line.
    static constexpr std::size_t max_line = 4096;
    /// Most trailer bytes in all.
    static constexpr std::size_t max_trailers = 16 * 1024;

    explicit chunked_decoder(std::size_t max_body) : max_body_(max_body) {}

    /// Consumes a prefix of `in` (its length in `consumed`), appending the
    /// chunk data to `body`. `more`: everything usable was consumed, feed the
    /// rest when it comes; `done`: the body ended (bytes after it belong to
    /// the next request); otherwise the body is refused (see problem()).
    state feed(std::string_view in, std::size_t& consumed, std::string& body);

    /// What was wrong, once feed() returned malformed or too_large.
    std::string_view problem() const noexcept { return problem_; }

private:
    enum class step { size_line, data, data_end, trailer, finished };

    state fail(state s, std::string_view why) {
        problem_ = why;
        return s;
    }
    state size_line(std::string_view line, std::size_t decoded);
    state trailer_line(std::string_view line);

    std::size_t max_body_;
    step step_ = step::size_line;
    std::size_t remaining_ = 0; ///< bytes of the current chunk still to come
    std::size_t trailer_bytes_ = 0;
    std::string_view problem_;
};

} // namespace qaqpa::http
