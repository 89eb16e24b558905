// `qaqpa admin incidents …`: the incident journal through the admin API.
//   list [--state open|closed|all] [--limit N] [--after ID] [--json]
//   update ID [--responsible TEXT] [--measures TEXT] [--responded-at T]
//   close ID [--responsible TEXT] [--measures TEXT] [--responded-at T]
#include "cmd/admin_commands.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <iostream>

namespace qaqpa::cmd {
namespace {

int list(const flags& f, const admin_target& to) {
    std::string query = "?state=" + encode_param(f.get("state").value_or("open"));
    if (auto v = f.get("limit")) query += "&limit=" + encode_param(*v);
    if (auto v = f.get("after")) query += "&after=" + encode_param(*v);
    std::string body;
    const auto status = call_text(to, http::verb::get, "/admin/v1/incidents" + query, body);
    if (status / 100 != 2) return failed_answer(status, body);
    if (f.json) {
        std::cout << body << '\n';
        return 0;
    }
    const auto page = boost::json::parse(body).as_object();
    const auto row = "{:<36}  {:<6}  {:<13}  {:<24}  {:<24}  {:<24}  {}\n";
    std::cout << fmt::format(fmt::runtime(row), "ID", "STATE", "CAUSE", "DATE", "NOTIFIED", "SENT", "REASON");
    for (const auto& v : page.at("incidents").as_array()) {
        const auto& i = v.as_object();
        std::cout << fmt::format(fmt::runtime(row), text_of(i, "id"), text_of(i, "state"), text_of(i, "cause"),
                                 text_of(i, "date"), text_of(i, "notifiedAt"), text_of(i, "sentAt"), text_of(i, "reason"));
    }
    if (const auto* next = page.if_contains("next"); next && next->is_string())
        std::cout << "more: --after " << next->as_string().c_str() << '\n';
    return 0;
}

int change(const std::string& id, bool close, const flags& f, const admin_target& to) {
    boost::json::object patch;
    for (const auto& [flag, field] : {std::pair{"responsible", "responsible"}, std::pair{"measures", "measures"},
                                      std::pair{"responded-at", "respondedAt"}})
        if (auto v = f.get(flag)) patch[field] = *v;
    if (close) patch["state"] = "closed";
    if (patch.empty()) {
        std::cerr << "qaqpa admin: incidents update needs --responsible, --measures or --responded-at\n";
        return exit_usage;
    }
    std::string body;
    const auto status =
        call_text(to, http::verb::patch, "/admin/v1/incidents/" + encode_param(id), body, boost::json::serialize(patch));
    if (status / 100 != 2) return failed_answer(status, body);
    std::cout << body << '\n';
    return 0;
}

} // namespace

int incidents_command(std::span<const std::string_view> words, const flags& f, const admin_target& to) {
    if (words.size() == 1 && words[0] == "list") return list(f, to);
    if (words.size() == 2 && (words[0] == "update" || words[0] == "close"))
        return change(std::string(words[1]), words[0] == "close", f, to);
    std::cerr << "usage: qaqpa admin incidents list [--state open|closed|all] [--limit N] [--after ID] [--json]\n"
                 "       qaqpa admin incidents update|close ID [--responsible TEXT] [--measures TEXT] [--responded-at T]\n";
    return exit_usage;
}

} // namespace qaqpa::cmd
