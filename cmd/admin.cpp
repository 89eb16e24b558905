// `qaqpa admin dp on|off|state ID`: one call to a running node's admin
// listener, with the bearer token from the admin token file. Prints the JSON
// answer; exit 0 for a 2xx, 1 otherwise, 2 for a usage error.
#include "cmd/commands.hpp"

#include "core/config.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fstream>
#include <iostream>
#include <optional>
#include <string>

namespace qaqpa::cmd {
namespace {

constexpr const char* admin_usage =
    "usage: qaqpa admin dp on|off|state ID [--config FILE] [--admin HOST:PORT] [--token-file FILE]\n";

struct admin_target {
    std::string host = "127.0.0.1";
    std::string port;
    std::string token_file;
};

/// Calls the admin listener; prints the answer; 0 for a 2xx.
int call(const admin_target& to, boost::beast::http::verb method, const std::string& target, const std::string& token) {
    namespace asio = boost::asio;
    namespace http = boost::beast::http;
    try {
        asio::io_context ctx;
        boost::beast::tcp_stream stream(ctx);
        stream.expires_after(std::chrono::seconds(10));
        stream.connect(asio::ip::tcp::resolver(ctx).resolve(to.host, to.port));
        http::request<http::empty_body> req{method, target, 11};
        req.set(http::field::host, to.host);
        req.set(http::field::authorization, "Bearer " + token);
        http::write(stream, req);
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        std::cout << res.body() << '\n';
        return res.result_int() / 100 == 2 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "qaqpa admin: " << to.host << ':' << to.port << ": " << e.what() << '\n';
        return 1;
    }
}

} // namespace

int admin(std::span<const std::string_view> args) {
    if (args.size() < 3 || args[0] != "dp" || (args[1] != "on" && args[1] != "off" && args[1] != "state")) {
        std::cerr << admin_usage;
        return 2;
    }
    const std::string action(args[1]), id(args[2]);
    std::optional<std::string> config_file, address, token_file;
    for (std::size_t i = 3; i < args.size(); ++i) {
        if (i + 1 >= args.size()) {
            std::cerr << admin_usage;
            return 2;
        }
        if (args[i] == "--config") config_file = std::string(args[++i]);
        else if (args[i] == "--admin") address = std::string(args[++i]);
        else if (args[i] == "--token-file") token_file = std::string(args[++i]);
        else {
            std::cerr << admin_usage;
            return 2;
        }
    }
    auto cfg = config_file ? load_config(*config_file) : result<config>(demo_config());
    if (!cfg) {
        std::cerr << "qaqpa: config error: " << cfg.error().detail << '\n';
        return exit_bad_config;
    }
    admin_target to{cfg->admin_listener.address, std::to_string(cfg->admin_listener.port),
                    token_file.value_or(cfg->admin_listener.token_file)};
    if (address) {
        const auto colon = address->rfind(':');
        if (colon == std::string::npos) {
            std::cerr << "qaqpa admin: --admin wants HOST:PORT\n";
            return 2;
        }
        to.host = address->substr(0, colon);
        to.port = address->substr(colon + 1);
    }
    if (to.port == "0") {
        std::cerr << "qaqpa admin: the admin port is 0 in the config (chosen at start-up); give --admin HOST:PORT\n";
        return 2;
    }
    std::ifstream in(to.token_file);
    std::string token;
    if (!std::getline(in, token) || token.empty()) {
        std::cerr << "qaqpa admin: cannot read the admin token from " << to.token_file << '\n';
        return 1;
    }
    namespace http = boost::beast::http;
    const auto method = action == "state" ? http::verb::get : http::verb::post;
    return call(to, method, "/admin/v1/delivery-points/" + id + "/" + action, token);
}

} // namespace qaqpa::cmd
