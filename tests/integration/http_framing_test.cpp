// Request framing on raw sockets (RFC 9112 §6, §7.1): a Transfer-Encoding
// other than exactly "chunked", both framing headers, or a malformed chunk
// line is answered at once and the connection closed; no byte after it is
// read as another request (request smuggling), and the gateway keeps serving.
#include "tests/integration/node_fixture.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/soap_samples.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::test;
using namespace std::chrono;

namespace {

const std::string smuggled = "GET /bip-sync/?wsdl HTTP/1.1\r\nHost: x\r\n\r\n";

std::string head(const std::string& framing_lines) {
    return "POST /bip-sync/ HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n" + framing_lines + "\r\n";
}

/// The sample SendMessage as two chunks and the last chunk.
std::string chunked(const std::string& body, const std::string& last = "0\r\n\r\n") {
    const auto half = body.size() / 2;
    auto hex = [](std::size_t n) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%zx", n);
        return std::string(buf);
    };
    return hex(half) + "\r\n" + body.substr(0, half) + "\r\n" + hex(body.size() - half) + "\r\n" +
           body.substr(half) + "\r\n" + last;
}

std::size_t answers(const std::string& got) {
    std::size_t n = 0;
    for (auto at = got.find("HTTP/1.1 "); at != std::string::npos; at = got.find("HTTP/1.1 ", at + 1)) ++n;
    return n;
}

void still_serving(const gateway& gw) {
    const auto reply = soap_post(gw.port(), "/bip-sync/", sync_request_xml({}));
    INFO(reply.error);
    CHECK(reply.status == 200);
}

/// Sends `bytes` followed by a smuggled request: exactly one answer with
/// `status_line`, and the gateway closes the connection promptly.
void check_refused(const gateway& gw, const std::string& bytes, const std::string& status_line) {
    const auto start = steady_clock::now();
    const auto got = raw_exchange(gw.port(), bytes + smuggled, seconds(10));
    INFO(got);
    CHECK(got.rfind(status_line, 0) == 0);
    CHECK(answers(got) == 1);
    CHECK(got.find("wsdl:definitions") == std::string::npos);
    CHECK(steady_clock::now() - start < seconds(3)); // closed by the gateway, not by the test's bound
    still_serving(gw);
}

} // namespace

TEST_CASE("a Transfer-Encoding that is not exactly chunked gets 501 and a close", "[integration][framing]") {
    gateway gw;
    const auto body = chunked(sync_request_xml({}));
    check_refused(gw, head("Transfer-Encoding: xchunked\r\n") + body, "HTTP/1.1 501");
    check_refused(gw, head("Transfer-Encoding: chunked, identity\r\n") + body, "HTTP/1.1 501");
    check_refused(gw, head("Transfer-Encoding: gzip, chunked\r\n") + body, "HTTP/1.1 501");
    check_refused(gw, head("Transfer-Encoding: identity\r\n") + body, "HTTP/1.1 501");
}

TEST_CASE("folded, padded or repeated framing headers are refused and the connection closed", "[integration][framing]") {
    gateway gw;
    const auto xml = sync_request_xml({});
    const auto body = chunked(xml);
    // obs-fold: whatever Beast makes of it, it is not exactly "chunked".
    const auto folded = raw_exchange(gw.port(), head("Transfer-Encoding: x\r\n chunked\r\n") + body + smuggled, seconds(10));
    INFO(folded);
    CHECK((folded.rfind("HTTP/1.1 400", 0) == 0 || folded.rfind("HTTP/1.1 501", 0) == 0));
    CHECK(answers(folded) == 1);
    check_refused(gw, head("Transfer-Encoding : chunked\r\n") + body, "HTTP/1.1 400");
    check_refused(gw, head("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n") + body, "HTTP/1.1 400");
    check_refused(gw, head("Content-Length: " + std::to_string(xml.size()) + "\r\nTransfer-Encoding: chunked\r\n") + body,
                  "HTTP/1.1 400");
    check_refused(gw, "POST /bip-sync/ HTTP/1.0\r\nHost: x\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n" +
                          body, "HTTP/1.1 400");
}

TEST_CASE("a malformed chunk line gets 400 at once, not a wait for a CRLF", "[integration][framing]") {
    gateway gw;
    const auto xml = sync_request_xml({});
    const auto te = head("Transfer-Encoding: chunked\r\n");
    check_refused(gw, te + "5\n<soap", "HTTP/1.1 400");                         // bare LF
    check_refused(gw, te + "5;name=\"unterminated\r\n<soap\r\n", "HTTP/1.1 400"); // quoted string never closed
    check_refused(gw, te + "5;" + std::string(5000, 'a') + "\r\n", "HTTP/1.1 400"); // extension too long
    check_refused(gw, te + "5;" + std::string(5000, 'a'), "HTTP/1.1 400");          // ... even before its CRLF
    check_refused(gw, te + "zz\r\n", "HTTP/1.1 400");
    check_refused(gw, te + "5\r\n<soapXX", "HTTP/1.1 400");                      // data not followed by CRLF
    check_refused(gw, te + "1234567890123456\r\n", "HTTP/1.1 400");               // size overflow
    check_refused(gw, te + chunked(xml, "0\r\nbad trailer\r\n\r\n"), "HTTP/1.1 400");
}

TEST_CASE("a chunked body over max_body_bytes gets 413 and a close", "[integration][framing]") {
    gateway gw; // max_body_bytes = 65536
    check_refused(gw, head("Transfer-Encoding: chunked\r\n") + "10001\r\n", "HTTP/1.1 413");
    const std::string half(0x8000, 'a');
    check_refused(gw, head("Transfer-Encoding: chunked\r\n") + "8000\r\n" + half + "\r\n8000\r\n" + half + "\r\n1\r\n",
                  "HTTP/1.1 413");
}

TEST_CASE("well-formed chunked requests, with extensions and trailers, are served and keep the connection",
          "[integration][framing]") {
    gateway gw;
    sample_request first, second;
    first.payload = "<n>first</n>";
    second.payload = "<n>second</n>";
    const auto a = chunked(sync_request_xml(first), "0;ext=\"a;b\"\r\nX-Trailer: yes\r\n\r\n");
    const auto b = chunked(sync_request_xml(second));
    const auto got = raw_exchange(gw.port(),
                                  head("Transfer-Encoding:  chunked \r\n") + a +
                                      head("Transfer-Encoding: CHUNKED\r\nConnection: close\r\n") + b,
                                  seconds(10));
    INFO(got);
    CHECK(answers(got) == 2);
    const auto x = got.find("<n>first</n>"), y = got.find("<n>second</n>");
    REQUIRE(x != std::string::npos);
    REQUIRE(y != std::string::npos);
    CHECK(x < y);
}
