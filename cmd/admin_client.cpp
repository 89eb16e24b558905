#include "cmd/admin_client.hpp"

#include "cmd/commands.hpp"
#include "core/config.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

namespace qaqpa::cmd {

namespace asio = boost::asio;

std::optional<flags> read_flags(std::span<const std::string_view> args) {
    flags f;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--json" || args[i] == "--all" || args[i] == "--dry-run" || args[i] == "--replace") {
            (args[i] == "--json" ? f.json : args[i] == "--all" ? f.all : args[i] == "--dry-run" ? f.dry_run : f.replace) = true;
            continue;
        }
        if (!args[i].starts_with("--") || i + 1 >= args.size()) return std::nullopt;
        f.values[std::string(args[i].substr(2))] = std::string(args[i + 1]);
        ++i;
    }
    return f;
}

// Where the node's admin listener is and its token; an exit code when not found.
std::variant<admin_target, int> locate(const flags& f) {
    const auto config_file = f.get("config");
    auto cfg = config_file ? load_config(*config_file) : result<config>(demo_config());
    if (!cfg) {
        std::cerr << "qaqpa: config error: " << cfg.error().detail << '\n';
        return exit_bad_config;
    }
    admin_target to{cfg->admin_listener.address, std::to_string(cfg->admin_listener.port), {}};
    std::optional<std::string> address = f.get("admin");
    if (!address)
        if (const char* env = std::getenv("QAQPA_ADMIN")) address = env;
    if (address) {
        const auto colon = address->rfind(':');
        if (colon == std::string::npos) {
            std::cerr << "qaqpa admin: --admin wants HOST:PORT\n";
            return exit_usage;
        }
        to.host = address->substr(0, colon);
        to.port = address->substr(colon + 1);
    }
    if (!address && cfg->admin_listener.tls) {
        std::cerr << "qaqpa admin: the admin listener serves HTTPS and this command speaks plain HTTP; use the "
                     "admin API with an HTTPS client (curl --cacert …), or --admin HOST:PORT of a plain listener\n";
        return exit_usage;
    }
    if (to.port == "0") {
        std::cerr << "qaqpa admin: the admin port is 0 in the config (chosen at start-up); give --admin HOST:PORT\n";
        return exit_usage;
    }
    const auto token_file = f.get("token-file");
    const char* env_token = std::getenv("QAQPA_ADMIN_TOKEN");
    if (!token_file && env_token && *env_token) {
        to.token = env_token;
        return to;
    }
    const auto file = token_file.value_or(cfg->admin_listener.token_file);
    std::ifstream in(file);
    if (!std::getline(in, to.token) || to.token.empty()) {
        std::cerr << "qaqpa admin: cannot read the admin token from " << file << '\n';
        return exit_failed;
    }
    return to;
}

// One call; the body is handed to `sink` (with the status) as it arrives. Returns the HTTP
/// status, or 0 when the node could not be reached (said on stderr).
unsigned call(const admin_target& to, http::verb method, const std::string& target, const body_sink& sink,
              const std::string& request_body) {
    try {
        asio::io_context ctx;
        boost::beast::tcp_stream stream(ctx);
        stream.expires_after(std::chrono::seconds(10));
        stream.connect(asio::ip::tcp::resolver(ctx).resolve(to.host, to.port));
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, to.host);
        req.set(http::field::authorization, "Bearer " + to.token);
        if (!request_body.empty()) req.set(http::field::content_type, "application/json");
        req.body() = request_body;
        req.prepare_payload();
        http::write(stream, req);
        boost::beast::flat_buffer buffer;
        http::response_parser<http::buffer_body> parser;
        parser.body_limit(boost::none);
        http::read_header(stream, buffer, parser);
        char piece[64 * 1024];
        while (!parser.is_done()) {
            stream.expires_after(std::chrono::seconds(60)); // per piece: a long export is fine
            parser.get().body().data = piece;
            parser.get().body().size = sizeof piece;
            boost::system::error_code ec;
            http::read(stream, buffer, parser, ec);
            if (ec && ec != http::error::need_buffer) throw boost::system::system_error(ec);
            sink(std::string_view(piece, sizeof piece - parser.get().body().size), parser.get().result_int());
        }
        return parser.get().result_int();
    } catch (const std::exception& e) {
        std::cerr << "qaqpa admin: " << to.host << ':' << to.port << ": " << e.what() << '\n';
        return 0;
    }
}

// A call whose whole answer is returned in `body`; `request_body` is sent as JSON.
unsigned call_text(const admin_target& to, http::verb method, const std::string& target, std::string& body,
                   const std::string& request_body) {
    return call(to, method, target, [&](std::string_view s, unsigned) { body.append(s); }, request_body);
}

std::string encode_param(std::string_view v) {
    std::string out;
    for (const unsigned char c : v) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') out += static_cast<char>(c);
        else out += fmt::format("%{:02X}", c);
    }
    return out;
}

int failed_answer(unsigned status, const std::string& body) {
    if (status == 0) return exit_failed;
    std::cout << body << '\n';
    std::cerr << "qaqpa admin: HTTP " << status << '\n';
    return exit_failed;
}

std::string text_of(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return {};
    if (v->is_string()) return std::string(v->as_string());
    return boost::json::serialize(*v);
}

} // namespace qaqpa::cmd
