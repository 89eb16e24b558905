// `qaqpa admin registry …`: the live registry through the admin API, entries
// as JSON objects with the configuration file's keys (CONFIG.md).
//   list PART [--json]               PART: systems, delivery-points, services, access, peers
//   show PART KEY                    KEY: an id; SYSTEM/SERVICE for access
//   add PART JSON|@FILE|- [--replace]   POST (refused when it exists); --replace: PUT
//   remove PART KEY
#include "cmd/admin_commands.hpp"

#include "core/registry_entries.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <iterator>

namespace qaqpa::cmd {
namespace {

constexpr const char* usage =
    "usage: qaqpa admin registry list PART [--json]\n"
    "       qaqpa admin registry show PART KEY\n"
    "       qaqpa admin registry add PART JSON|@FILE|- [--replace]\n"
    "       qaqpa admin registry remove PART KEY\n"
    "PART: systems, delivery-points, services, access, peers; KEY: an id, or SYSTEM/SERVICE for access\n";

/// The path of one entry: its key's parts percent-encoded one by one.
std::string entry_path(std::string_view part, std::string_view key) {
    std::string path = "/admin/v1/" + std::string(part);
    for (std::size_t from = 0;;) {
        const auto slash = part == "access" ? key.find('/', from) : std::string_view::npos;
        path += "/" + encode_param(key.substr(from, slash == std::string_view::npos ? key.npos : slash - from));
        if (slash == std::string_view::npos) return path;
        from = slash + 1;
    }
}

/// The body an operator gave: inline JSON, @FILE, or - for stdin.
std::optional<std::string> body_of(std::string_view given) {
    if (given == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
    if (given.starts_with("@")) {
        std::ifstream in{std::string(given.substr(1))};
        if (!in) return std::nullopt;
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    return std::string(given);
}

std::string key_of(std::string_view part, const boost::json::object& e) {
    return part == "access" ? text_of(e, "system") + "/" + text_of(e, "service") : text_of(e, "id");
}

int list(std::string_view part, const flags& f, const admin_target& to) {
    std::string body;
    const auto status = call_text(to, http::verb::get, "/admin/v1/" + std::string(part), body);
    if (status / 100 != 2) return failed_answer(status, body);
    if (f.json) {
        std::cout << body << '\n';
        return 0;
    }
    const auto answer = boost::json::parse(body);
    for (const auto& v : answer.at("items").as_array()) {
        auto e = v.as_object();
        const auto key = key_of(part, e);
        e.erase("id");
        if (part == "access") {
            e.erase("system");
            e.erase("service");
        }
        std::cout << fmt::format("{:<32}  {}\n", key, boost::json::serialize(e));
    }
    return 0;
}

int simple(http::verb method, const std::string& target, const std::string& request_body, const admin_target& to) {
    std::string body;
    const auto status = call_text(to, method, target, body, request_body);
    if (status / 100 != 2) return failed_answer(status, body);
    if (!body.empty()) std::cout << body << '\n';
    return 0;
}

int add(std::string_view part, std::string_view given, const flags& f, const admin_target& to) {
    const auto body = body_of(given);
    if (!body) {
        std::cerr << "qaqpa admin: cannot read " << given.substr(1) << '\n';
        return exit_usage;
    }
    if (!f.replace) return simple(http::verb::post, "/admin/v1/" + std::string(part), *body, to);
    boost::system::error_code ec;
    const auto v = boost::json::parse(*body, ec);
    if (ec || !v.is_object()) {
        std::cerr << "qaqpa admin: the entry is not a JSON object\n";
        return exit_usage;
    }
    return simple(http::verb::put, entry_path(part, key_of(part, v.as_object())), *body, to);
}

} // namespace

int registry_command(std::span<const std::string_view> words, const flags& f, const admin_target& to) {
    if (words.size() >= 2 && parse_registry_part(words[1])) {
        const auto part = words[1];
        if (words.size() == 2 && words[0] == "list") return list(part, f, to);
        if (words.size() == 3 && words[0] == "show") return simple(http::verb::get, entry_path(part, words[2]), {}, to);
        if (words.size() == 3 && words[0] == "add") return add(part, words[2], f, to);
        if (words.size() == 3 && words[0] == "remove")
            return simple(http::verb::delete_, entry_path(part, words[2]), {}, to);
    }
    std::cerr << usage;
    return exit_usage;
}

} // namespace qaqpa::cmd
