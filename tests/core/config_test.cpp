#include "core/config.hpp"
#include "core/utf8.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;

namespace {

constexpr const char* full = R"(
[node]
data_dir = "data"
threads = 2

[listeners.public]
address = "127.0.0.1"
port = 0

[listeners.admin]
port = 0
token_file = "admin.token"

[limits]
max_body_bytes = 65536
sync_timeout_ms = 5000
pull_lease_ms = 30000
max_queue_depth = 5000

[[systems]]
id = "sender"
password = "secret"
bin = "123456789012"

[[systems]]
id = "recipient"
password_hash = "scrypt$16384$8$1$AAAA$BBBB"

[[delivery_points]]
id = "provider-a"
url = "http://127.0.0.1:9090/"
timeout_ms = 1500
retries = 3
max_queue_depth = 77
throttle = { requests = 45, window_s = 45 }
credentials = { login = "gw", password = "gwpass" }

[[delivery_points]]
id = "provider-b"
url = "builtin:echo"

[[services]]
id = "echo"
owner = "recipient"
mode = "both"
delivery_point = "provider-a"
routes = { a = "provider-a", b = "provider-b" }
timeout_ms = 1000

[[access]]
system = "sender"
service = "echo"
timeout_ms = 700
)";

std::string error_of(std::string_view toml) {
    auto r = parse_config(toml, "test.toml", "/etc/qaqpa");
    REQUIRE_FALSE(r);
    return r.error().detail;
}

} // namespace

TEST_CASE("the CONFIG.md shape loads with defaults and resolved paths", "[unit][core]") {
    auto r = parse_config(full, "test.toml", "/etc/qaqpa");
    REQUIRE(r);
    const auto& c = *r;
    CHECK(c.node.data_dir == "/etc/qaqpa/data");
    CHECK(c.node.threads == 2);
    CHECK(c.public_listener.port == 0);
    CHECK(c.admin_listener.token_file == "/etc/qaqpa/admin.token");
    CHECK(c.paths.sync == "/bip-sync/");
    CHECK(c.limits.max_body_bytes == 65536);
    CHECK(c.limits.header_read_timeout_ms == 10000);
    CHECK(c.limits.pull_lease_ms == 30000);
    CHECK(c.limits.max_queue_depth == 5000);
    CHECK(c.limits.pull_batch_default == 100);
    REQUIRE(c.bootstrap.systems.size() == 2);
    CHECK(c.plain_passwords.at("sender") == "secret");
    CHECK(c.bootstrap.systems[1].password_hash == "scrypt$16384$8$1$AAAA$BBBB");
    const auto& dp = c.bootstrap.delivery_points[0];
    CHECK(dp.policy.timeout_ms == 1500);
    CHECK(dp.policy.retries == 3);
    CHECK(dp.policy.backoff_ms == 1000);
    CHECK(dp.max_queue_depth == 77);
    CHECK(c.bootstrap.delivery_points[1].max_queue_depth == 0); // the node-wide bound applies
    REQUIRE(dp.policy.throttle);
    CHECK(dp.policy.throttle->requests == 45);
    REQUIRE(dp.creds);
    CHECK(dp.creds->login == "gw");
    const auto& svc = c.bootstrap.services[0];
    CHECK(svc.mode == service_mode::both);
    CHECK(svc.routes.at("b") == "provider-b");
    CHECK(c.bootstrap.access[0].overrides.timeout_ms == 700);
}

TEST_CASE("encryption keys and a point's encrypt_to resolve against the file's folder", "[unit][core]") {
    auto r = parse_config("[security]\nencryption_cert = \"keys/enc.pem\"\nencryption_key = \"keys/enc.key\"\n"
                          "[[delivery_points]]\nid = \"d\"\nurl = \"http://127.0.0.1:9/\"\nencrypt_to = \"d.pem\"\n",
                          "test.toml", "/etc/qaqpa");
    REQUIRE(r);
    CHECK(r->security.encryption_cert == "/etc/qaqpa/keys/enc.pem");
    CHECK(r->security.encryption_key == "/etc/qaqpa/keys/enc.key");
    CHECK(r->bootstrap.delivery_points[0].encrypt_to == "/etc/qaqpa/d.pem");
}

TEST_CASE("a listener's tls table resolves its files against the file's folder", "[unit][core]") {
    auto r = parse_config("[listeners.public]\nport = 8443\ntls = { cert = \"tls/s.pem\", key = \"tls/s.key\", "
                          "client_ca = \"/pki/clients.pem\" }\n[listeners.admin.tls]\ncert = \"a.pem\"\nkey = \"a.key\"\n",
                          "test.toml", "/etc/qaqpa");
    REQUIRE(r);
    REQUIRE(r->public_listener.tls);
    CHECK(r->public_listener.tls->cert == "/etc/qaqpa/tls/s.pem");
    CHECK(r->public_listener.tls->key == "/etc/qaqpa/tls/s.key");
    CHECK(r->public_listener.tls->client_ca == "/pki/clients.pem");
    REQUIRE(r->admin_listener.tls);
    CHECK(r->admin_listener.tls->client_ca.empty());
    CHECK(error_of("[listeners.public.tls]\ncert = \"s.pem\"\n") == "test.toml: listeners.public.tls.key: required key is missing");
    CHECK(error_of("[listeners.public.tls]\ncert = \"s.pem\"\nkey = \"s.key\"\nciphers = \"x\"\n") ==
          "test.toml: listeners.public.tls.ciphers: unknown key");
}

TEST_CASE("config errors name the file, the key and the reason", "[unit][core]") {
    CHECK(error_of("[node]\ndata_dri = \"x\"\n") == "test.toml: node.data_dri: unknown key");
    CHECK(error_of("[limits]\nmax_body_bytes = \"big\"\n") == "test.toml: limits.max_body_bytes: must be an integer");
    CHECK(error_of("[[systems]]\npassword = \"x\"\n") == "test.toml: systems[0].id: required key is missing");
    CHECK(error_of("[[systems]]\nid = \"a\"\npassword = \"x\"\nbin = \"12\"\n") == "test.toml: systems[0].bin: must be 12 digits");
    CHECK(error_of("[[systems]]\nid=\"o\"\npassword=\"p\"\n[[services]]\nid = \"s\"\nowner = \"o\"\ndelivery_point = \"nope\"\n") ==
          "test.toml: services[0].delivery_point: no delivery point with id \"nope\"");
    CHECK(error_of("[[services]]\nid = \"s\"\nowner = \"ghost\"\n") == "test.toml: services[0].owner: no system with id \"ghost\"");
    CHECK(error_of("[[access]]\nsystem = \"x\"\nservice = \"y\"\n") == "test.toml: access[0].system: no system with id \"x\"");
    CHECK(error_of("[[delivery_points]]\nid = \"d\"\nurl = \"ftp://x\"\n") ==
          "test.toml: delivery_points[0].url: must be an http:// or https:// URL, or builtin:echo");
    CHECK(error_of("[[systems]]\nid=\"o\"\npassword=\"p\"\n[[services]]\nid = \"s\"\nowner = \"o\"\nmode = \"sometimes\"\n") ==
          "test.toml: services[0].mode: must be \"sync\", \"async\" or \"both\"");
    CHECK(error_of("[[delivery_points]]\nid = \"d\"\nurl = \"builtin:echo\"\nsecurity_mode = 1\n") ==
          "test.toml: delivery_points[0].security_mode: mode 1 needs [security] gateway_cert and gateway_key");
    CHECK(error_of("[security]\ngateway_cert = \"g.pem\"\ngateway_key = \"g.key\"\n"
                   "[[delivery_points]]\nid = \"d\"\nurl = \"builtin:echo\"\nsecurity_mode = 2\n") ==
          "test.toml: delivery_points[0].security_mode: mode 2 needs [security] trusted_ca to check callers' certificates against");
    CHECK(error_of("[security]\nocsp = true\n") ==
          "test.toml: security.ocsp: needs security.trusted_ca (the issuers OCSP is asked about)");
    CHECK(error_of("[security]\ntrusted_ca = [\"ca.pem\"]\nocsp = true\nocsp_responder = \"https://ocsp.example\"\n") ==
          "test.toml: security.ocsp_responder: must be an http:// URL (OCSP is asked over plain HTTP)");
    CHECK(error_of("[security]\nocsp_timeout_ms = 5\n").rfind("test.toml: security.ocsp_timeout_ms: must be between 100", 0) == 0);
    CHECK(error_of("[security]\nencryption_cert = \"e.pem\"\n") ==
          "test.toml: security.encryption_key: security.encryption_cert and security.encryption_key go together");
    CHECK(error_of("[[delivery_points]]\nid = \"d\"\nurl = \"builtin:echo\"\nencrypt_to = \"d.pem\"\n") ==
          "test.toml: delivery_points[0].encrypt_to: a builtin point receives nothing over the wire to encrypt");
    CHECK(error_of("[limits]\nmax_queue_depth = 0\n").rfind("test.toml: limits.max_queue_depth: must be between 1", 0) == 0);
    CHECK(error_of("[limits]\npull_lease_ms = -5\n").rfind("test.toml: limits.pull_lease_ms: must be between 1", 0) == 0);
    CHECK(error_of("[listeners.public]\nport = 70000\n") == "test.toml: listeners.public.port: must be between 0 and 65535");
    CHECK(error_of("[[systems]]\nid=\"a\"\npassword=\"p\"\n[[systems]]\nid=\"a\"\npassword=\"q\"\n") ==
          "test.toml: systems[1].id: duplicate id \"a\"");
    CHECK(error_of("this is = = not toml").rfind("test.toml:1:", 0) == 0);
}

TEST_CASE("the demo config has a login, the echo service and an access right", "[unit][core]") {
    const auto c = demo_config();
    REQUIRE(c.bootstrap.systems.size() == 1);
    CHECK(c.bootstrap.systems[0].id == demo_login);
    CHECK(c.plain_passwords.at(demo_login) == demo_password);
    CHECK(c.bootstrap.delivery_points[0].url == "builtin:echo");
    CHECK(c.bootstrap.services[0].id == "echo");
    CHECK(c.bootstrap.access[0].system == demo_login);
    REQUIRE(c.bootstrap.services.size() == 2);
    CHECK(c.bootstrap.services[1].id == "inbox");
    CHECK(c.bootstrap.services[1].delivery == delivery_mode::pull);
    CHECK(c.bootstrap.access[1].service == "inbox");
    CHECK(c.node.data_dir == "qaqpa-data");
}

TEST_CASE("access overrides win over the delivery point's policy", "[unit][core]") {
    delivery_policy base;
    base.timeout_ms = 40000;
    base.retries = 10;
    policy_overrides o;
    o.timeout_ms = 500;
    o.throttle = throttle_policy{5, 1};
    const auto eff = apply(base, o);
    CHECK(eff.timeout_ms == 500);
    CHECK(eff.retries == 10);
    REQUIRE(eff.throttle);
    CHECK(eff.throttle->requests == 5);
}

TEST_CASE("concurrency is a policy key of points and access rows; the store is named", "[unit][core]") {
    auto r = parse_config(R"([node]
store = "rocksdb"
[[systems]]
id = "sender"
password = "p"
[[delivery_points]]
id = "d"
url = "http://127.0.0.1:9/"
concurrency = 8
[[services]]
id = "s"
owner = "sender"
mode = "async"
delivery_point = "d"
[[access]]
system = "sender"
service = "s"
concurrency = 2
)",
                          "test.toml", "/etc/qaqpa");
    REQUIRE(r);
    CHECK(r->node.store == "rocksdb");
    CHECK(r->bootstrap.delivery_points[0].policy.concurrency == 8);
    CHECK(apply(r->bootstrap.delivery_points[0].policy, r->bootstrap.access[0].overrides).concurrency == 2);
    CHECK(error_of("[[delivery_points]]\nid = \"d\"\nurl = \"builtin:echo\"\nconcurrency = 0\n")
              .rfind("test.toml: delivery_points[0].concurrency: must be between 1", 0) == 0);
    CHECK(error_of("[node]\nstore = \"postgresql\"\n") ==
          "test.toml: postgresql.dsn: required with node.store = \"postgresql\"");
    CHECK(error_of("[node]\nstore = \"mysql\"\n") == "test.toml: node.store: must be \"rocksdb\" or \"postgresql\"");
    CHECK(error_of("[postgresql]\npool = 0\n").rfind("test.toml: postgresql.pool: must be between 1", 0) == 0);
    CHECK(error_of("[postgresql]\nhost = \"x\"\n").rfind("test.toml: postgresql.host", 0) == 0);
}

TEST_CASE("the PostgreSQL store's table: the DSN, a password file beside the config, the pool, the schema, the node's name",
          "[config]") {
    const auto r = parse_config(R"([node]
store = "postgresql"
name = "node-a"
[postgresql]
dsn = "host=127.0.0.1 port=5432 dbname=qaqpa user=qaqpa"
password_file = "pg.password"
pool = 4
schema = "gate"
)",
                                "test.toml", "/etc/qaqpa");
    REQUIRE(r);
    CHECK(r->node.store == "postgresql");
    CHECK(r->node.name == "node-a");
    CHECK(r->postgresql.dsn == "host=127.0.0.1 port=5432 dbname=qaqpa user=qaqpa");
    CHECK(r->postgresql.password_file == "/etc/qaqpa/pg.password");
    CHECK(r->postgresql.pool == 4);
    CHECK(r->postgresql.schema == "gate");
    const auto defaults = parse_config("", "test.toml", "/etc/qaqpa");
    REQUIRE(defaults);
    CHECK(defaults->postgresql.pool == 8);
    CHECK(defaults->postgresql.schema == "qaqpa");
    CHECK(defaults->node.name.empty());
}

TEST_CASE("a config failure is one line of valid UTF-8 whatever the file quotes (found by the fuzzer)", "[config]") {
    for (const std::string text : {"[node]\nthreads = i\nx = 1\n", "[node]\n\"bad\\nkey\" = 1\n", "[node]\nx = \"\xFF\"\n"}) {
        const auto cfg = parse_config(text, "t.toml", ".");
        REQUIRE_FALSE(cfg);
        INFO(cfg.error().detail);
        CHECK(cfg.error().detail.find('\n') == std::string::npos);
        CHECK(valid_utf8(cfg.error().detail));
    }
}

TEST_CASE("[log] takes a format and a level, and names a wrong one", "[config]") {
    auto cfg = parse_config("[log]\nformat = \"json\"\nlevel = \"warn\"\n", "t.toml", ".");
    REQUIRE(cfg);
    CHECK(cfg->log.format == log::format::json);
    CHECK(cfg->log.level == log::level::warn);
    const auto bad = parse_config("[log]\nformat = \"xml\"\n", "t.toml", ".");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().detail == "t.toml: log.format: must be \"text\" or \"json\"");
}

TEST_CASE("a REST point is secured by HTTPS: security_mode and encrypt_to are refused on it", "[unit][core]") {
    const std::string point = "[[delivery_points]]\nid = \"r\"\nurl = \"http://127.0.0.1:9/\"\nprotocol = \"rest\"\n";
    CHECK(error_of(point + "security_mode = 1\n") ==
          "test.toml: delivery_points[0].security_mode: a REST point is secured by HTTPS, not by XML signatures (0 only)");
    CHECK(error_of(point + "encrypt_to = \"p.pem\"\n") ==
          "test.toml: delivery_points[0].encrypt_to: a REST point is secured by HTTPS, not by XML encryption");
    auto ok = parse_config(point + "[[systems]]\nid = \"s\"\npassword = \"p\"\naddress = \"http://127.0.0.1:9/\"\n"
                                   "protocol = \"rest\"\n",
                           "test.toml", "/etc/qaqpa");
    REQUIRE(ok);
    CHECK(ok->bootstrap.delivery_points[0].protocol == wire_protocol::rest);
    CHECK(ok->bootstrap.systems[0].protocol == wire_protocol::rest);
}

TEST_CASE("a peer gateway: its table, the point that forwards to it, and what is refused", "[unit][core]") {
    const std::string security =
        "[security]\ngateway_cert = \"g.pem\"\ngateway_key = \"g.key\"\ntrusted_ca = [\"ca.pem\"]\n";
    const std::string peer = "[[peers]]\nid = \"far\"\nurl = \"http://127.0.0.1:9000/\"\nlogin = \"gw-near\"\n"
                             "password = \"pw\"\nbin = \"123456789012\"\n";
    const std::string point = "[[delivery_points]]\nid = \"to-far\"\nprotocol = \"gateway\"\npeer = \"far\"\n";
    const std::string service = "[[systems]]\nid = \"o\"\npassword = \"p\"\n"
                                "[[services]]\nid = \"across\"\nowner = \"o\"\ndelivery_point = \"to-far\"\n";
    auto ok = parse_config(security + peer + point + "security_mode = 1\n" + service +
                               "[[systems]]\nid = \"gw-far\"\npassword = \"p\"\nbin = \"210987654321\"\ngateway = true\n",
                           "test.toml", "/etc/qaqpa");
    INFO((ok ? std::string() : ok.error().detail));
    REQUIRE(ok);
    CHECK(ok->bootstrap.peers[0].url == "http://127.0.0.1:9000"); // the trailing slash dropped
    CHECK(ok->bootstrap.peers[0].concurrency == 16);              // PUSHes in flight on the way back
    CHECK(ok->bootstrap.delivery_points[0].peer == "far");
    CHECK(ok->bootstrap.delivery_points[0].url.empty());
    CHECK(ok->bootstrap.systems[1].gateway);

    CHECK(error_of(security + peer + point + service) ==
          "test.toml: delivery_points[0].security_mode: hops to a peer gateway are signed: 1 or 2");
    CHECK(error_of(security + peer + point + "security_mode = 1\nurl = \"http://127.0.0.1:9/\"\n" + service) ==
          "test.toml: delivery_points[0].url: a gateway point has no url: its peer has it");
    CHECK(error_of(security + point + "security_mode = 1\n" + service) ==
          "test.toml: delivery_points[0].peer: no peer with id \"far\"");
    // an asynchronous service crosses the hop too (the peer's asynchronous channel)
    CHECK(parse_config(security + peer + point + "security_mode = 1\n" + service + "mode = \"async\"\n", "test.toml",
                       "/etc/qaqpa"));
    CHECK(error_of("[[peers]]\nid = \"far\"\nurl = \"http://127.0.0.1:9000/bip-sync/\"\nlogin = \"l\"\npassword = \"p\"\n"
                   "bin = \"123456789012\"\n") ==
          "test.toml: peers[0].url: is the peer's listener without a path (its default channel paths are used)");
    CHECK(error_of(peer + peer) == "test.toml: peers[1].id: duplicate id \"far\"");
    CHECK(parse_config(security + peer + "concurrency = 4\n", "test.toml", "/etc/qaqpa")->bootstrap.peers[0].concurrency ==
          4);
    CHECK(error_of(peer + "concurrency = 0\n").starts_with("test.toml: peers[0].concurrency: "));
    CHECK(error_of(peer + "[[peers]]\nid = \"other\"\nurl = \"http://127.0.0.1:9001/\"\nlogin = \"l\"\n"
                          "password = \"p\"\nbin = \"123456789012\"\n") ==
          "test.toml: peers[1].bin: peer \"far\" has this BIN too: a gateway system with it could not be told which "
          "peer it speaks for");
    CHECK(error_of("[[systems]]\nid = \"g\"\npassword = \"p\"\ngateway = true\n") ==
          "test.toml: systems[0].bin: a gateway system's hops are signed with its BIN's certificate: bin is required");
    CHECK(error_of("[[delivery_points]]\nid = \"x\"\nurl = \"http://127.0.0.1:9/\"\npeer = \"far\"\n") ==
          "test.toml: delivery_points[0].peer: is for points with protocol = \"gateway\"");
}

TEST_CASE("a peer's own CA and signing pair stand in for [security]'s on its hops", "[unit][core]") {
    const std::string peer = "[[peers]]\nid = \"far\"\nurl = \"http://127.0.0.1:9000\"\nlogin = \"gw-near\"\n"
                             "password = \"pw\"\nbin = \"123456789012\"\n";
    const std::string keys = "trusted_ca = \"pki/peers-ca.pem\"\ngateway_cert = \"pki/hop.pem\"\ngateway_key = \"/keys/hop.key\"\n";
    const std::string point = "[[delivery_points]]\nid = \"to-far\"\nprotocol = \"gateway\"\npeer = \"far\"\n";
    const std::string service = "[[systems]]\nid = \"o\"\npassword = \"p\"\n"
                                "[[services]]\nid = \"across\"\nowner = \"o\"\ndelivery_point = \"to-far\"\n";
    // no [security] at all: the peer's keys sign and judge its hops, even in mode 2
    auto ok = parse_config(peer + keys + point + "security_mode = 2\n" + service, "test.toml", "/etc/qaqpa");
    INFO((ok ? std::string() : ok.error().detail));
    REQUIRE(ok);
    const auto& k = ok->bootstrap.peers[0].keys;
    CHECK(k.trusted_ca == "/etc/qaqpa/pki/peers-ca.pem"); // relative to the file, like every path in it
    CHECK(k.gateway_cert == "/etc/qaqpa/pki/hop.pem");
    CHECK(k.gateway_key == "/keys/hop.key");
    // an access row raising the mode of a service across the hop is satisfied by them too
    CHECK(parse_config(peer + keys + point + "security_mode = 1\n" + service +
                           "[[access]]\nsystem = \"o\"\nservice = \"across\"\nsecurity_mode = 2\n",
                       "test.toml", "/etc/qaqpa"));

    CHECK(error_of(peer) == "test.toml: peers[0].gateway_cert: hops to a peer are signed: give gateway_cert and "
                            "gateway_key here or in [security]");
    CHECK(error_of(peer + "gateway_cert = \"hop.pem\"\ngateway_key = \"hop.key\"\n") ==
          "test.toml: peers[0].trusted_ca: a peer's hops are verified: give trusted_ca here or in [security]");
    CHECK(error_of(peer + "gateway_cert = \"hop.pem\"\n") == "test.toml: peers[0].gateway_key: required with gateway_cert");
    CHECK(error_of(peer + "gateway_key = \"hop.key\"\n") == "test.toml: peers[0].gateway_cert: required with gateway_key");
    CHECK(error_of(peer + "trusted_ca = \"\"\n") == "test.toml: peers[0].trusted_ca: must name a PEM file");
    // another point's mode still needs [security]'s keys
    CHECK(error_of(peer + keys + point + "security_mode = 1\n" + service +
                   "[[delivery_points]]\nid = \"p\"\nurl = \"http://127.0.0.1:9/\"\nsecurity_mode = 1\n") ==
          "test.toml: delivery_points[1].security_mode: mode 1 needs [security] gateway_cert and gateway_key");
}
