// `qaqpa admin …` as an operator's script uses it, against the real binary:
// `admin journal query|export` read the journal through the admin API,
// `journal verify` checks the export with no node needed, `admin incidents`
// lists, fills in and closes incidents; the exit codes say what happened.
#include "tests/support/async_samples.hpp"
#include "tests/support/child_node.hpp"
#include "tests/support/http_call.hpp"

#include "tests/support/catch.hpp"
#include "tests/support/temp_dir.hpp"

#include <cstdio>
#include <fstream>
#include <sys/wait.h>

using namespace qaqpa::test;

namespace {

struct run_result {
    int code = -1;
    std::string out;
};

/// Runs the binary with `args` (shell words), bounded by `timeout` seconds.
run_result run(const std::string& args) {
    const auto command = "timeout 30 " + std::string(QAQPA_BINARY) + " " + args + " 2>&1";
    run_result r;
    FILE* p = popen(command.c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
    const int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string read_file(const std::filesystem::path& f) {
    std::ifstream in(f);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

TEST_CASE("qaqpa admin journal export and qaqpa journal verify, as a script runs them", "[process][journal]") {
    temp_dir dir;
    std::ofstream(dir.path() / "qaqpa.toml") << child_config("", inbox_service);
    child_node gw(QAQPA_BINARY, dir);
    async_send m;
    m.service = "inbox";
    for (int i = 0; i < 5; ++i) REQUIRE(soap_post(gw.port(), "/bip-async/", send_message_xml(m)).status == 200);

    const auto where = "--admin 127.0.0.1:" + std::to_string(gw.admin_port()) + " --token-file " +
                       (dir.path() / "admin.token").string();
    const auto table = run("admin journal query --event accepted " + where);
    INFO(table.out);
    CHECK(table.code == 0);
    CHECK(occurrences(table.out, " accepted ") == 5);
    CHECK(table.out.find("inbox") != std::string::npos);
    const auto json = run("admin journal query --limit 2 --json " + where);
    CHECK(json.code == 0);
    CHECK(json.out.find("\"nextCursor\":\"2\"") != std::string::npos);

    const auto file = (dir.path() / "journal.ndjson").string();
    REQUIRE(run("admin journal export --output " + file + " " + where).code == 0);
    const auto verified = run("journal verify " + file);
    INFO(verified.out);
    CHECK(verified.code == 0);
    CHECK(verified.out.find("verified 5 rows, 1 to 5") != std::string::npos);

    auto text = read_file(file);
    text.erase(text.find("{\"row\":3,"), text.find("{\"row\":4,") - text.find("{\"row\":3,"));
    std::ofstream(file, std::ios::trunc) << text;
    const auto broken = run("journal verify " + file);
    CHECK(broken.code == 1);
    CHECK(broken.out.find("row 4 follows row 2: row 3 was removed") != std::string::npos);

    CHECK(run("journal verify").code == 2);
    CHECK(run("journal verify " + (dir.path() / "absent").string()).code == 2);
    const auto refused = run("admin journal query --admin 127.0.0.1:" + std::to_string(gw.admin_port()) +
                             " --token-file " + file); // a file that is not the token
    CHECK(refused.code == 1);
    CHECK(refused.out.find("HTTP 401") != std::string::npos);
    CHECK(run("admin journal query --from " + where).code == 2); // a flag without its value

    // A message from the command line: shown with its trail; a redelivery of
    // one still on its way is refused (exit 1, the node's 409 said).
    const auto reply = soap_post(gw.port(), "/bip-async/", send_message_xml(m));
    const auto id_at = reply.body.find("<messageId>") + 11;
    const auto id = reply.body.substr(id_at, reply.body.find("</messageId>") - id_at);
    const auto shown = run("admin message show " + id + " " + where);
    INFO(shown.out);
    CHECK(shown.code == 0);
    CHECK(shown.out.find("ON_DELIVERY") != std::string::npos);
    CHECK(shown.out.find(" accepted ") != std::string::npos);
    const auto refused_again = run("admin message redeliver " + id + " " + where);
    CHECK(refused_again.code == 1);
    CHECK(refused_again.out.find("HTTP 409") != std::string::npos);
    const auto dry = run("admin message redeliver --all --dry-run " + where);
    CHECK(dry.code == 0);
    CHECK(dry.out.find("\"matched\":0") != std::string::npos);
    CHECK(run("admin message redeliver " + where).code == 2); // neither an id nor --all
}

TEST_CASE("qaqpa admin incidents list, update and close, as a script runs them", "[process][incidents]") {
    temp_dir dir;
    std::ofstream(dir.path() / "qaqpa.toml")
        << child_config("", inbox_service + "[[delivery_points]]\nid = \"echo\"\nurl = \"builtin:echo\"\n");
    child_node gw(QAQPA_BINARY, dir);
    const auto where = "--admin 127.0.0.1:" + std::to_string(gw.admin_port()) + " --token-file " +
                       (dir.path() / "admin.token").string();
    const auto none = run("admin incidents list " + where);
    CHECK(none.code == 0);
    CHECK(occurrences(none.out, "\n") == 1); // the heading alone

    REQUIRE(run("admin dp off echo " + where).code == 0);
    const auto listed = run("admin incidents list --json " + where);
    REQUIRE(listed.code == 0);
    const auto at = listed.out.find("\"id\":\"");
    REQUIRE(at != std::string::npos);
    const auto id = listed.out.substr(at + 6, 36);
    const auto table = run("admin incidents list " + where);
    INFO(table.out);
    CHECK(table.out.find(id + "  open    point_off") != std::string::npos);
    CHECK(table.out.find("delivery point echo switched off: switched off by the administrator") != std::string::npos);

    const auto updated = run("admin incidents update " + id + " --responsible 'duty administrator' " + where);
    INFO(updated.out);
    CHECK(updated.code == 0);
    CHECK(updated.out.find("\"responsible\":\"duty administrator\"") != std::string::npos);
    const auto closed = run("admin incidents close " + id + " --measures 'switched on again' " + where);
    CHECK(closed.code == 0);
    CHECK(closed.out.find("\"state\":\"closed\"") != std::string::npos);
    const auto again = run("admin incidents close " + id + " " + where);
    CHECK(again.code == 1);
    CHECK(again.out.find("\"error\":\"CONFLICT\"") != std::string::npos);
    CHECK(again.out.find("HTTP 409") != std::string::npos);
    CHECK(run("admin incidents update " + id + " " + where).code == 2); // nothing to change
    CHECK(run("admin incidents frobnicate " + where).code == 2);
    const auto all = run("admin incidents list --state all " + where);
    CHECK(all.out.find(id + "  closed  point_off") != std::string::npos);
}

TEST_CASE("qaqpa admin registry list, show, add and remove, as a script runs them", "[process][registry]") {
    temp_dir dir;
    std::ofstream(dir.path() / "qaqpa.toml") << child_config("", inbox_service);
    child_node gw(QAQPA_BINARY, dir);
    const auto where = "--admin 127.0.0.1:" + std::to_string(gw.admin_port()) + " --token-file " +
                       (dir.path() / "admin.token").string();

    const auto added = run("admin registry add systems '{\"id\":\"acme\",\"password\":\"pw\",\"bin\":\"123456789012\"}' " + where);
    INFO(added.out);
    CHECK(added.code == 0);
    CHECK(added.out == "{\"id\":\"acme\",\"bin\":\"123456789012\",\"address\":\"\",\"protocol\":\"soap\"}\n");
    std::ofstream(dir.path() / "access.json") << R"({"system":"acme","service":"inbox"})";
    CHECK(run("admin registry add access @" + (dir.path() / "access.json").string() + " " + where).code == 0);
    const auto table = run("admin registry list access " + where);
    CHECK(table.out.find("acme/inbox") != std::string::npos);
    std::ofstream(dir.path() / "access2.json") << R"({"system":"acme","service":"inbox","retries":2})";
    const auto replaced =
        run("admin registry add access - --replace " + where + " < " + (dir.path() / "access2.json").string());
    CHECK(replaced.code == 0);
    CHECK(run("admin registry show access acme/inbox " + where).out.find("\"retries\":2") != std::string::npos);

    const auto bad = run("admin registry add systems '{\"id\":\"b\",\"password\":\"p\",\"bin\":\"1\"}' " + where);
    CHECK(bad.code == 1);
    CHECK(bad.out.find("systems.bin: must be 12 digits") != std::string::npos);
    CHECK(bad.out.find("HTTP 400") != std::string::npos);
    const auto referred = run("admin registry remove systems acme " + where);
    CHECK(referred.code == 1);
    CHECK(referred.out.find("HTTP 409") != std::string::npos);
    CHECK(run("admin registry remove access acme/inbox " + where).code == 0);
    CHECK(run("admin registry remove systems acme " + where).code == 0);
    CHECK(run("admin registry show systems acme " + where).code == 1);
    CHECK(run("admin registry list planets " + where).code == 2);
    CHECK(run("admin registry list systems --json " + where).out.find("\"items\":[") != std::string::npos);
}

TEST_CASE("qaqpa admin says so when the admin listener serves HTTPS", "[process]") {
    temp_dir dir;
    const auto config = dir.path() / "tls.toml";
    std::ofstream(config) << "[listeners.admin]\nport = 8081\ntls = { cert = \"s.pem\", key = \"s.key\" }\n";
    const auto r = run("admin dp state echo --config " + config.string());
    CHECK(r.code == 2);
    CHECK(r.out.find("the admin listener serves HTTPS") != std::string::npos);
}
