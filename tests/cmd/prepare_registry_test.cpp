#include "cmd/node.hpp"

#include "storage/store.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/temp_dir.hpp"

using namespace qaqpa;

namespace {

config plain_password_config(const std::string& password) {
    auto c = parse_config("[[systems]]\nid = \"is\"\npassword = \"" + password + "\"\n", "t.toml", "/");
    REQUIRE(c);
    return *c;
}

} // namespace

TEST_CASE("a file with plain passwords has the same fingerprint on every start", "[unit][cmd]") {
    auto first = plain_password_config("secret");
    auto second = plain_password_config("secret");
    REQUIRE(cmd::prepare_registry(first, false));
    REQUIRE(cmd::prepare_registry(second, false));
    CHECK(first.bootstrap.systems[0].password_hash != second.bootstrap.systems[0].password_hash); // fresh salts
    CHECK(first.bootstrap_fingerprint == second.bootstrap_fingerprint);
    CHECK(first.plain_passwords.empty());

    auto changed = plain_password_config("other");
    REQUIRE(cmd::prepare_registry(changed, false));
    CHECK(changed.bootstrap_fingerprint != first.bootstrap_fingerprint);
    CHECK(first.bootstrap_fingerprint.find("secret") == std::string::npos); // a digest, not the text
}

TEST_CASE("a restart with an unchanged plain-password file keeps admin changes", "[unit][cmd]") {
    test::temp_dir dir;
    auto s = storage::open_store({dir.str(), true});
    REQUIRE(s);
    auto start1 = plain_password_config("secret");
    REQUIRE(cmd::prepare_registry(start1, false));
    auto live = storage::bootstrap_registry(**s, start1.bootstrap, start1.bootstrap_fingerprint, false);
    REQUIRE(live);
    auto admin = *live; // an administrator edits the live registry
    admin.systems[0].bin = "123456789012";
    REQUIRE((*s)->save_registry(admin, start1.bootstrap_fingerprint));

    auto start2 = plain_password_config("secret"); // the next start: same file, new salt
    REQUIRE(cmd::prepare_registry(start2, false));
    live = storage::bootstrap_registry(**s, start2.bootstrap, start2.bootstrap_fingerprint, false);
    REQUIRE(live);
    CHECK(live->systems[0].bin == "123456789012");
}
