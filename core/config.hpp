#pragma once
// The node configuration (CONFIG.md): plain structs, parsed once by
// load_config(); each module receives only its part from cmd/.

#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/registry.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qaqpa {

struct tls_files {
    std::string cert;      ///< PEM: the listener's certificate (and its chain after it)
    std::string key;       ///< PEM: its private key
    std::string client_ca; ///< PEM, optional: clients must present a certificate chaining to it
};

struct listener_config {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    std::optional<tls_files> tls;
    std::string token_file; ///< admin only: bearer token, created 0600 if missing
};

struct paths_config {
    std::string sync = "/bip-sync/";
    std::string sync_signed = "/bip-sync-wss-gost/";
    std::string async = "/bip-async/";
    std::string async_signed = "/bip-async-wss-gost/";
    std::string rest = "/api/v1/";
};

struct limits_config {
    std::size_t max_body_bytes = 10 * 1024 * 1024;
    int header_read_timeout_ms = 10000;
    int body_read_timeout_ms = 30000;
    int idle_timeout_ms = 60000;
    int max_connections = 10000;
    int sync_timeout_ms = 60000;
    int pull_batch_default = 100;
    int pull_batch_max = 1000;
    int pull_lease_ms = 60000;             ///< a pulled, unconfirmed message is offered again after this
    std::int64_t max_queue_depth = 1000000; ///< per queue, unless its delivery point says otherwise
    int failed_logins_per_sender = 10;      ///< in failed_logins_window_s; beyond → TOO_MANY_FAILED_LOGINS; 0 = off
    int failed_logins_per_address = 30;     ///< the same per client IP address; 0 = off
    int failed_logins_window_s = 60;
};

struct security_config {
    std::string gateway_cert;
    std::string gateway_key;
    /// The RSA pair callers encrypt Bodies to; "" = gateway_cert/gateway_key.
    std::string encryption_cert;
    std::string encryption_key;
    std::vector<std::string> trusted_ca;
    std::vector<std::string> crls;
    bool ocsp = false;
    std::string ocsp_responder;  ///< asked instead of the certificate's AIA responder
    int ocsp_timeout_ms = 3000;  ///< per question; a caller waits at most this long for it
    bool ocsp_soft_fail = false; ///< no usable answer: accept (and say so) rather than refuse
    bool sign_responses = true;
};

struct log_config {
    log::format format = log::format::text; ///< "text" | "json"
    log::level level = log::level::info;    ///< "debug" | "info" | "warn" | "error" (QAQPA_LOG overrides)
};

/// The logging journal (storage/journal_store.hpp).
struct journal_config {
    bool enabled = true;     ///< rows for every message event (rules of 2016, appendix 6)
    int retention_days = 90; ///< rows, and final messages, older than this are pruned; 0 = kept for ever
};

/// The incident journal (routing/incident_desk.hpp).
struct incidents_config {
    std::int64_t undelivered_after_s = 86400; ///< a queued message older than this opens an incident
    std::string notify_url;        ///< JSON POST per incident, retried until delivered; "" = none
    int notify_timeout_ms = 10000; ///< one webhook attempt
};

struct node_config {
    std::string data_dir = "qaqpa-data";
    int threads = 0; ///< 0 = one per core
    std::string store = "rocksdb"; ///< the store implementation (storage::store_kinds())
    /// This node's name among nodes sharing a PostgreSQL store (its journal
    /// chain, the points it delivers to); "" = the host's name.
    std::string name;
};

/// `[postgresql]`: the shared store of node.store = "postgresql".
struct postgresql_config {
    std::string dsn;           ///< libpq keywords or a URI; required with that store
    std::string password_file; ///< its first line is the password; "" = libpq's own sources
    int pool = 8;              ///< connections per node
    std::string schema = "qaqpa";
};

struct config {
    std::string source; ///< the file it came from; "(demo)" for the embedded demo
    node_config node;
    postgresql_config postgresql;
    log_config log;
    journal_config journal;
    incidents_config incidents;
    listener_config public_listener{"127.0.0.1", 8080, {}, {}};
    listener_config admin_listener{"127.0.0.1", 8081, {}, "admin.token"};
    paths_config paths;
    limits_config limits;
    security_config security;
    registry bootstrap;
    /// systems configured with a plain `password`: id → password. cmd/ hashes
    /// them into `bootstrap` (with a warning) before the registry is stored.
    std::map<std::string, std::string> plain_passwords;
    /// Identifies the bootstrap registry as written in the file (set by
    /// cmd/ before plain passwords are hashed; see storage::bootstrap_registry).
    std::string bootstrap_fingerprint;
};

/// Reads and validates a TOML file. The failure detail is one line naming the
/// file, the key and the reason. Relative paths are resolved against the
/// file's directory.
result<config> load_config(const std::filesystem::path& file);

/// Parses TOML text (`source_name` names it in errors; `base_dir` anchors
/// relative paths).
result<config> parse_config(std::string_view toml_text, const std::string& source_name,
                            const std::filesystem::path& base_dir);

/// The embedded demo: data under ./qaqpa-data, IS "demo" (password
/// "demo-password"), service "echo" (sync and async) on the built-in echo
/// delivery point, and "inbox", an async PULL service the demo IS owns.
config demo_config();

inline constexpr const char* demo_login = "demo";
inline constexpr const char* demo_password = "demo-password";

} // namespace qaqpa
