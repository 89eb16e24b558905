// libFuzzer target for the HTTP request edge: Beast's head parser, our
// framing check, then the body as the listener reads it (our chunked decoder,
// or Beast for Content-Length). Property: a chunked body decodes to the same
// outcome and bytes whether it arrives at once or split at any point.
#include "transports/http/framing.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstdlib>
#include <string>

using namespace qaqpa::http;

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

chunked_decoder::state decode(std::string_view in, std::size_t split, std::string& body) {
    chunked_decoder d(64 * 1024);
    std::string pending(in.substr(0, split));
    std::size_t used = 0;
    auto s = d.feed(pending, used, body);
    if (s != chunked_decoder::state::more) return s;
    pending.erase(0, used);
    pending.append(in.substr(split));
    s = d.feed(pending, used, body);
    return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t split_at = data[0];
    const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(64 * 1024);
    boost::system::error_code ec;
    const auto used = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
    if (ec || !parser.is_header_done()) return 0;
    const auto rest = in.substr(used);
    const auto frame = check_framing(parser.get(), parser.get().version());
    if (frame.how == framing::kind::refused) {
        require(frame.refusal == status::bad_request || frame.refusal == status::not_implemented);
        require(!frame.reason.empty());
        return 0;
    }
    if (frame.how == framing::kind::chunked) {
        std::string whole, parts;
        const auto a = decode(rest, rest.size(), whole);
        const auto b = decode(rest, std::min(split_at, rest.size()), parts);
        require(a == b);
        if (a == chunked_decoder::state::done) require(whole == parts);
        require(whole.size() <= 64 * 1024);
        return 0;
    }
    if (!parser.is_done()) parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    return 0;
}
