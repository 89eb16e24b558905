// `qaqpa admin ...`: calls a running node's admin listener, with the bearer
// token from the admin token file. Exit codes scripts can rely on: 0 done,
// 1 the node refused or could not be reached, 2 a usage error or a bad config.
//   admin dp on|off|state ID
//   admin journal query [filters] [--limit N] [--cursor C] [--json]
//   admin journal export [filters] [--format ndjson|csv] [--output FILE]
//   admin message show ID [--json]
//   admin message redeliver ID | --all [--service S] [--sender S] [--point P]
//                                      [--from T] [--to T] [--limit N] [--dry-run]
//   admin incidents list|update|close …  (admin_incidents.cpp)
//   admin registry list|show|add|remove …  (admin_registry.cpp)
// Where: --admin HOST:PORT, else $QAQPA_ADMIN, else the config's
// [listeners.admin]; the token: --token-file, else $QAQPA_ADMIN_TOKEN, else the
// config's token_file.
#include "cmd/admin_commands.hpp"
#include "cmd/commands.hpp"

#include "core/config.hpp"
#include "core/clock.hpp"
#include "core/journal_format.hpp"

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
#include <map>
#include <optional>
#include <string>

namespace qaqpa::cmd {
namespace {

constexpr const char* admin_usage =
    "usage: qaqpa admin dp on|off|state ID [where]\n"
    "       qaqpa admin journal query [filters] [--limit N] [--cursor C] [--json] [where]\n"
    "       qaqpa admin journal export [filters] [--format ndjson|csv] [--output FILE] [where]\n"
    "       qaqpa admin message show ID [--json] [where]\n"
    "       qaqpa admin message redeliver ID [where]\n"
    "       qaqpa admin message redeliver --all [--service ID] [--sender ID] [--point ID] [--from T] [--to T]\n"
    "                                     [--limit N] [--dry-run] [where]\n"
    "       qaqpa admin incidents list [--state open|closed|all] [--limit N] [--after ID] [--json] [where]\n"
    "       qaqpa admin incidents update|close ID [--responsible TEXT] [--measures TEXT] [--responded-at T] [where]\n"
    "       qaqpa admin registry list PART [--json] | show PART KEY | add PART JSON|@FILE|- [--replace]\n"
    "                            | remove PART KEY [where]\n"
    "filters: --from T --to T (xsd:dateTime or Unix ms) --sender ID --service ID --point ID\n"
    "         --state STATE --event EVENT --message ID --correlation ID\n"
    "where:   --config FILE | --admin HOST:PORT ($QAQPA_ADMIN) | --token-file FILE ($QAQPA_ADMIN_TOKEN)\n";

/// The journal query string from the filter flags.
std::string journal_target(const flags& f, std::initializer_list<std::pair<const char*, const char*>> extra) {
    static const std::pair<const char*, const char*> names[] = {
        {"from", "from"},       {"to", "to"},       {"sender", "sender"},       {"service", "service"},
        {"point", "deliveryPoint"}, {"state", "state"}, {"event", "event"},     {"message", "messageId"},
        {"correlation", "correlationId"}};
    std::string q;
    auto add = [&](const char* flag, const char* param) {
        if (auto v = f.get(flag)) q += (q.empty() ? "?" : "&") + std::string(param) + "=" + encode_param(*v);
    };
    for (const auto& [flag, param] : names) add(flag, param);
    for (const auto& [flag, param] : extra) add(flag, param);
    return "/admin/v1/journal" + q;
}

/// A page of rows as a table for people.
void print_table(const std::string& body) {
    const auto page = boost::json::parse(body).as_object();
    std::cout << fmt::format("{:>8}  {:<24}  {:<13}  {:<5}  {:<36}  {:<24}  {:<12}  {:<14}  {}\n", "ROW", "RECORDED",
                             "EVENT", "CHAN", "MESSAGE", "SENDER > RECIPIENT", "SERVICE", "STATE", "ERROR");
    for (const auto& v : page.at("rows").as_array()) {
        auto row = parse_json_line(boost::json::serialize(v));
        if (!row) continue;
        const auto& e = row->event;
        std::cout << fmt::format("{:>8}  {:<24}  {:<13}  {:<5}  {:<36}  {:<24}  {:<12}  {:<14}  {}\n", row->number,
                                 format_unix_ms(row->recorded_ms), to_string(e.kind), to_string(e.channel), e.message_id,
                                 e.sender + (e.recipient.empty() ? "" : " > " + e.recipient), e.service_id, e.state,
                                 e.error_code);
    }
    if (const auto* next = page.if_contains("nextCursor"); next && next->is_string())
        std::cout << "more: --cursor " << next->as_string().c_str() << '\n';
}

int dp(std::string_view action, const std::string& id, const admin_target& to) {
    std::string body;
    const auto status = call_text(to, action == "state" ? http::verb::get : http::verb::post,
                                  "/admin/v1/delivery-points/" + encode_param(id) + "/" + std::string(action), body);
    if (status / 100 != 2) return failed_answer(status, body);
    std::cout << body << '\n';
    return 0;
}

int journal_query(const flags& f, const admin_target& to) {
    std::string body;
    const auto status = call_text(to, http::verb::get, journal_target(f, {{"limit", "limit"}, {"cursor", "cursor"}}), body);
    if (status / 100 != 2) return failed_answer(status, body);
    if (f.json) std::cout << body << '\n';
    else print_table(body);
    return 0;
}

int journal_export(const flags& f, const admin_target& to) {
    const auto format = f.get("format").value_or("ndjson");
    if (format != "ndjson" && format != "csv") {
        std::cerr << "qaqpa admin: --format is ndjson or csv\n";
        return exit_usage;
    }
    std::ofstream file;
    const auto output = f.get("output");
    if (output) {
        file.open(*output, std::ios::binary | std::ios::trunc);
        if (!file) {
            std::cerr << "qaqpa admin: cannot write " << *output << '\n';
            return exit_failed;
        }
    }
    std::ostream& out = output ? static_cast<std::ostream&>(file) : std::cout;
    std::string error_body;
    auto target = journal_target(f, {{"limit", "limit"}});
    target += (target.find('?') == std::string::npos ? "?" : "&") + std::string("format=") + format;
    const auto status = call(to, http::verb::get, target, [&](std::string_view s, unsigned answered) {
        if (answered / 100 == 2) out.write(s.data(), static_cast<std::streamsize>(s.size()));
        else if (error_body.size() < 4096) error_body.append(s.substr(0, 4096));
    });
    out.flush();
    if (status / 100 != 2) return failed_answer(status, error_body);
    return out ? 0 : exit_failed;
}

int message_show(const std::string& id, const flags& f, const admin_target& to) {
    std::string body;
    const auto status = call_text(to, http::verb::get, "/admin/v1/messages/" + encode_param(id), body);
    if (status / 100 != 2) return failed_answer(status, body);
    if (f.json) {
        std::cout << body << '\n';
        return 0;
    }
    auto o = boost::json::parse(body).as_object();
    for (const char* key : {"messageId", "state", "statusCode", "statusMessage", "statusDate", "serviceId", "sender",
                            "recipient", "queue", "attempts", "nextAttemptAt"})
        std::cout << fmt::format("{:<14} {}\n", key, text_of(o, key));
    std::cout << '\n';
    boost::json::object page{{"rows", o["journal"]}};
    print_table(boost::json::serialize(page));
    return 0;
}

int message_redeliver(std::span<const std::string_view> rest, const flags& f, const admin_target& to) {
    std::string body;
    unsigned status = 0;
    if (f.all) {
        boost::json::object filter;
        for (const auto& [flag, field] : {std::pair{"service", "service"}, std::pair{"sender", "sender"},
                                          std::pair{"point", "deliveryPoint"}, std::pair{"from", "from"},
                                          std::pair{"to", "to"}})
            if (auto v = f.get(flag)) filter[field] = *v;
        if (auto v = f.get("limit")) {
            try {
                filter["limit"] = std::stoll(*v);
            } catch (const std::exception&) {
                std::cerr << "qaqpa admin: --limit wants a number\n";
                return exit_usage;
            }
        }
        filter["dryRun"] = f.dry_run;
        status = call_text(to, http::verb::post, "/admin/v1/messages/redeliver", body, boost::json::serialize(filter));
    } else {
        if (rest.empty()) {
            std::cerr << admin_usage;
            return exit_usage;
        }
        status = call_text(to, http::verb::post, "/admin/v1/messages/" + encode_param(std::string(rest[0])) + "/redeliver",
                           body);
    }
    if (status / 100 != 2) return failed_answer(status, body);
    std::cout << body << '\n';
    return 0;
}

/// Reads the flags after the command's words and finds the node, then runs
/// `fn` with both; a usage error or an unreachable config exits first.
template <class F>
int with_node(std::span<const std::string_view> after_words, F fn) {
    const auto f = read_flags(after_words);
    if (!f) {
        std::cerr << admin_usage;
        return exit_usage;
    }
    const auto where = locate(*f);
    if (const auto* code = std::get_if<int>(&where)) return *code;
    return fn(*f, std::get<admin_target>(where));
}

} // namespace

int admin(std::span<const std::string_view> args) {
    const bool dp_call = args.size() >= 3 && args[0] == "dp" && (args[1] == "on" || args[1] == "off" || args[1] == "state");
    const bool journal_call = args.size() >= 2 && args[0] == "journal" && (args[1] == "query" || args[1] == "export");
    const bool show_call = args.size() >= 3 && args[0] == "message" && args[1] == "show";
    const bool redeliver_call = args.size() >= 2 && args[0] == "message" && args[1] == "redeliver";
    if (args.size() >= 2 && (args[0] == "incidents" || args[0] == "registry")) {
        // The words before the flags ("-" alone is a word: stdin).
        std::size_t words = 1;
        while (1 + words < args.size() && (args[1 + words] == "-" || !args[1 + words].starts_with("--"))) ++words;
        return with_node(args.subspan(1 + words), [&](const flags& f, const admin_target& to) {
            return args[0] == "incidents" ? incidents_command(args.subspan(1, words), f, to)
                                          : registry_command(args.subspan(1, words), f, to);
        });
    }
    if (!dp_call && !journal_call && !show_call && !redeliver_call) {
        std::cerr << admin_usage;
        return exit_usage;
    }
    // The words before the flags: a redelivery of one message names it.
    const bool one = redeliver_call && args.size() >= 3 && !args[2].starts_with("--");
    const std::size_t words = dp_call || show_call || one ? 3 : 2;
    return with_node(args.subspan(words), [&](const flags& f, const admin_target& to) {
        if (dp_call) return dp(args[1], std::string(args[2]), to);
        if (show_call) return message_show(std::string(args[2]), f, to);
        if (redeliver_call) {
            if (one == f.all) { // exactly one of: an id, --all
                std::cerr << admin_usage;
                return exit_usage;
            }
            return message_redeliver(args.subspan(2, one ? 1 : 0), f, to);
        }
        return args[1] == "query" ? journal_query(f, to) : journal_export(f, to);
    });
}

} // namespace qaqpa::cmd
