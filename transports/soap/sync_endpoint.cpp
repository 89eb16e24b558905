#include "transports/soap/sync_endpoint.hpp"

#include "core/async.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "transports/soap/encrypted_request.hpp"
#include "transports/soap/sync_codec.hpp"
#include "transports/soap/wsdl.hpp"

namespace qaqpa::soap {
namespace {

bool starts_with_icase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if ((s[i] | 0x20) != (prefix[i] | 0x20)) return false;
    return true;
}

} // namespace

bool is_xml_content_type(std::string_view ct) noexcept {
    while (!ct.empty() && ct.front() == ' ') ct.remove_prefix(1);
    if (ct.empty()) return true;
    for (std::string_view ok : {"text/xml", "application/soap+xml", "application/xml"})
        if (starts_with_icase(ct, ok) && (ct.size() == ok.size() || ct[ok.size()] == ';' || ct[ok.size()] == ' '))
            return true;
    return false;
}

std::optional<http::response> serve_wsdl(const http::request& req, std::string_view channel_wsdl) {
    const auto query = http::target_query(req.target());
    std::string address = req.secure ? "https://" : "http://";
    append_escaped(address, req[http::beast_http::field::host]);
    append_escaped(address, http::target_path(req.target()));
    auto doc = wsdl_document(query, channel_wsdl, address);
    if (!doc) return std::nullopt;
    return http::make_response(req, http::status::ok, "text/xml; charset=utf-8", std::move(*doc));
}

http::response fault_response(const http::request& req, soap_version v, const fault_element& element,
                              const gateway_fault& f, std::string session_id) {
    const auto info = to_error_info(f, std::move(session_id));
    auto res = http::make_response(req, http::status::internal_server_error, content_type(v),
                                   build_fault(v, element, info, describe(f.cause.code).client_fault));
    return res;
}

std::optional<http::response> answer_before_parsing(const http::request& req, std::string_view channel_wsdl,
                                                    const fault_element& fault) {
    if (req.method() == http::beast_http::verb::get) {
        if (auto doc = serve_wsdl(req, channel_wsdl)) return doc;
        return http::json_error(req, http::status::not_found, "NOT_FOUND", "GET serves ?wsdl and ?xsd=NAME only");
    }
    if (req.method() != http::beast_http::verb::post) {
        auto res = http::json_error(req, http::status::method_not_allowed, "METHOD_NOT_ALLOWED", "use POST");
        res.set(http::beast_http::field::allow, "GET, POST");
        return res;
    }
    if (!is_xml_content_type(req[http::beast_http::field::content_type])) {
        const std::string type(req[http::beast_http::field::content_type]);
        auto res = fault_response(req, soap_version::v11, fault, {fail(errc::unsupported_media_type, type), nullptr},
                                  braced(new_guid()));
        res.result(http::status::unsupported_media_type);
        return res;
    }
    return std::nullopt;
}

http::response signed_answer(http::response res, const routing::transport_security* security, bool signed_endpoint,
                             const std::optional<hop_keys>& hop) {
    const hop_keys* keys = hop ? &*hop : nullptr;
    if (!security || !security->can_sign(keys)) return res;
    if (!hop && (!signed_endpoint || !security->sign_responses())) return res;
    auto s = security->sign(res.body(), keys);
    if (!s) {
        log::error("security", "an answer could not be signed: {}", s.error().detail);
        return res;
    }
    res.body() = std::move(*s);
    res.prepare_payload();
    return res;
}

task<http::response> sync_endpoint::handle(http::request& req) {
    if (auto early = answer_before_parsing(req, "sync.wsdl", sync_fault)) co_return std::move(*early);
    const auto started = std::chrono::steady_clock::now();
    std::optional<failure> fault;
    std::optional<hop_keys> to_peer; // a peer gateway's call: its answer is a signed hop
    auto answer = co_await call(req, fault, to_peer);
    auto res = signed_answer(std::move(answer), security_, signature_required_, to_peer);
    probe_.record(routing::operation_kind::sync_send_message, fault ? &*fault : nullptr,
                  std::chrono::steady_clock::now() - started);
    co_return res;
}

task<http::response> sync_endpoint::call(http::request& req, std::optional<failure>& fault,
                                         std::optional<hop_keys>& to_peer) {
    soap_version version = soap_version::v11;
    auto opened = open_if_encrypted(req.body(), security_, version);
    if (!opened) {
        fault = opened.error();
        co_return fault_response(req, version, sync_fault, {opened.error(), nullptr}, braced(new_guid()));
    }
    auto parsed = parse_sync_request(req.body(), version);
    if (!parsed) {
        fault = parsed.error();
        co_return fault_response(req, version, sync_fault, {parsed.error(), nullptr}, braced(new_guid()));
    }
    parsed->request.info.sender.client_address = req.peer;
    const routing::caller_envelope envelope{req.body(), parsed->body, signature_required_,
                                            std::move(opened->verified_before), opened->decrypted,
                                            req.client_certificate.get()};
    auto outcome = co_await gateway_.send(std::move(parsed->request), &envelope);
    to_peer = std::move(outcome.hop);
    if (auto* f = std::get_if<gateway_fault>(&outcome.answer)) {
        fault = f->cause;
        if (f->cause.code == errc::internal) log::error("sync", "session {}: {}", outcome.session_id, f->cause.detail);
        co_return fault_response(req, version, sync_fault, *f, outcome.session_id);
    }
    co_return http::make_response(req, http::status::ok, content_type(version),
                                  build_sync_response(version, std::get<sync_response>(outcome.answer)));
}

} // namespace qaqpa::soap
