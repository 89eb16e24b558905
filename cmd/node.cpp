#include "cmd/node.hpp"

#include "core/log.hpp"
#include "core/journal.hpp"
#include "core/metrics.hpp"
#include "core/runtime.hpp"
#include "core/service.hpp"
#include "core/time_source.hpp"
#include "crypto/digest.hpp"
#include "crypto/password.hpp"
#include "crypto/random.hpp"
#include "routing/async_gateway.hpp"
#include "routing/cluster_follower.hpp"
#include "routing/delivery_engine.hpp"
#include "routing/incident_desk.hpp"
#include "routing/message_admin.hpp"
#include "routing/outbound.hpp"
#include "routing/point_states.hpp"
#include "routing/registry_editor.hpp"
#include "routing/registry_view.hpp"
#include "routing/scrape_gauges.hpp"
#include "routing/sync_gateway.hpp"
#include "storage/retention.hpp"
#include "storage/store.hpp"
#include "transports/admin/admin_api.hpp"
#include "transports/admin/incident_webhook.hpp"
#include "transports/http/ocsp_client.hpp"
#include "transports/http/router.hpp"
#include "transports/http/tls_context.hpp"
#include "transports/rest/endpoint.hpp"
#include "transports/rest/outbound_client.hpp"
#include "transports/soap/async_endpoint.hpp"
#include "transports/soap/outbound_client.hpp"
#include "transports/soap/sync_endpoint.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <fmt/format.h>

#include <sys/stat.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>

namespace qaqpa::cmd {
namespace {

/// Reads the admin bearer token, creating it (0600, random) when missing.
result<std::string> load_admin_token(const std::string& file) {
    std::ifstream in(file);
    std::string token;
    if (in && std::getline(in, token) && !token.empty()) return token;
    token = crypto::random_hex(24);
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
    const auto old = ::umask(077);
    std::ofstream out(file, std::ios::trunc);
    out << token << '\n';
    ::umask(old);
    if (!out) return fail(errc::internal, "cannot write the admin token file " + file);
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
    return token;
}

/// The listener's TLS context; null for a plain HTTP listener.
result<std::shared_ptr<http::tls_context>> tls_for(const listener_config& l, const std::string& key_path) {
    if (!l.tls) return std::shared_ptr<http::tls_context>();
    return http::tls_context::load(*l.tls, key_path);
}

http::server_options server_options_from(const limits_config& l) {
    http::server_options o;
    o.max_body_bytes = l.max_body_bytes;
    o.header_read_timeout = std::chrono::milliseconds(l.header_read_timeout_ms);
    o.body_read_timeout = std::chrono::milliseconds(l.body_read_timeout_ms);
    o.idle_timeout = std::chrono::milliseconds(l.idle_timeout_ms);
    o.max_connections = l.max_connections;
    return o;
}

/// A part that starts with its construction and only needs stopping (the
/// store's committer, the password-check workers), as a service of the list.
class stop_only final : public service {
public:
    stop_only(std::string name, std::function<void()> stop) : name_(std::move(name)), stop_(std::move(stop)) {}
    std::string_view name() const noexcept override { return name_; }
    void start() override {}
    void stop() override {
        if (auto fn = std::exchange(stop_, nullptr)) fn();
    }

private:
    std::string name_;
    std::function<void()> stop_;
};

} // namespace

struct node::parts {
    explicit parts(const config& c)
        : cfg(c), rt(c.node.threads),
          auth(1, 64, routing::login_limits{c.limits.failed_logins_per_sender, c.limits.failed_logins_per_address,
                                            c.limits.failed_logins_window_s * 1000LL}),
          soap_client(c.limits.max_body_bytes), rest_client(c.limits.max_body_bytes) {}

    config cfg;
    runtime rt;
    std::unique_ptr<storage::store> store;
    std::unique_ptr<routing::registry_holder> registry;
    routing::authenticator auth; ///< one scrypt worker; 64 checks may wait; failed logins limited
    system_time_source clock;
    metrics_registry metrics; ///< every subsystem's probes; exported by the admin API
    routing::scrape_gauges scraped;    ///< gauges read when /metrics is scraped
    routing::request_probe soap_requests{metrics, "soap"}; ///< the SOAP channels' answers
    routing::request_probe rest_requests{metrics, "rest"}; ///< the REST channel's answers
    null_journal no_journal;  ///< where events go with [journal] enabled = false
    journal_sink* journal_to = &no_journal;
    std::unique_ptr<storage::retention> retention;
    // The outbound clients, one per delivery point kind (the one place
    // they are chosen).
    routing::builtin_client builtin_client;
    soap::soap_outbound_client soap_client;
    rest::rest_outbound_client rest_client;
    std::unique_ptr<http::client_tls> client_tls; ///< https:// points' trust and client certificates
    routing::outbound_table clients;
    http::ocsp_client ocsp; ///< asks certificates' OCSP responders ([security] ocsp = true)
    std::unique_ptr<routing::transport_security> security; ///< [security]: trust, the gateway's key
    routing::throttle_table throttles; ///< both channels count in the same windows
    std::unique_ptr<routing::point_states> points; ///< both channels read which points are off
    std::unique_ptr<routing::sync_gateway> sync;
    std::unique_ptr<soap::sync_endpoint> sync_plain, sync_signed;
    std::unique_ptr<routing::delivery_engine> engine;
    std::unique_ptr<routing::async_gateway> async;
    std::unique_ptr<routing::message_admin> message_admin;
    std::unique_ptr<admin::incident_webhook> webhook; ///< null without [incidents] notify_url
    std::unique_ptr<routing::incident_desk> incidents;
    std::unique_ptr<routing::registry_editor> registry_editor; ///< the API's and SIGHUP's changes, one at a time
    std::unique_ptr<routing::cluster_follower> cluster; ///< with a store nodes share: what the others change
    std::unique_ptr<soap::async_endpoint> async_endpoint, async_signed;
    std::unique_ptr<rest::rest_endpoint> rest_endpoint;
    http::router public_router;
    std::unique_ptr<admin::admin_api> admin;
    std::unique_ptr<http::server> public_server, admin_server;
    std::uint16_t public_port = 0, admin_port = 0;
    std::string token;
    std::unique_ptr<stop_only> store_service, auth_service;
    /// Started in this order, stopped in reverse (see start()).
    service_list services;
    bool stopped = false;
};

result<void> prepare_registry(config& cfg, bool warn_plain) {
    // The file as written: the registry plus its plain passwords, digested
    // (the digest is stored; the passwords never are).
    std::string written = storage::serialize(cfg.bootstrap);
    for (const auto& [id, password] : cfg.plain_passwords) written += "\n" + id + "\n" + password;
    cfg.bootstrap_fingerprint = crypto::sha256_hex(written);
    for (std::size_t i = 0; i < cfg.bootstrap.systems.size(); ++i) {
        auto& s = cfg.bootstrap.systems[i];
        if (auto plain = cfg.plain_passwords.find(s.id); plain != cfg.plain_passwords.end()) {
            if (warn_plain)
                log::warn("config", "systems[{}] (\"{}\") has a plain password; store password_hash instead "
                          "(qaqpa hash-password)", i, s.id);
            s.password_hash = crypto::hash_password(plain->second);
        } else if (!crypto::is_password_hash(s.password_hash)) {
            return fail(errc::bad_config, fmt::format("{}: systems[{}].password_hash: not a hash from qaqpa hash-password",
                                                    cfg.source, i));
        }
    }
    cfg.plain_passwords.clear();
    return {};
}

namespace {

/// The store's options from the configuration; the PostgreSQL password is
/// read here, from the first line of its file.
result<storage::options> store_options_of(const config& c, metrics_registry& metrics) {
    storage::options o{c.node.data_dir, true, c.node.store, &metrics};
    o.postgresql.dsn = c.postgresql.dsn;
    o.postgresql.pool = static_cast<std::size_t>(c.postgresql.pool);
    o.postgresql.schema = c.postgresql.schema;
    o.postgresql.node = c.node.name;
    if (c.node.store == "postgresql" && !c.postgresql.password_file.empty()) {
        std::ifstream in(c.postgresql.password_file);
        if (!in || !std::getline(in, o.postgresql.password))
            return fail(errc::bad_config, "postgresql.password_file: cannot read " + c.postgresql.password_file);
        if (!o.postgresql.password.empty() && o.postgresql.password.back() == '\r') o.postgresql.password.pop_back();
    }
    return o;
}

} // namespace

node::node(std::unique_ptr<parts> p) : parts_(std::move(p)) {}

node::~node() { stop(); }

result<std::unique_ptr<node>> node::start(config cfg, node_options opts) {
    auto p = std::make_unique<parts>(cfg);
    auto& c = p->cfg;

    auto store_options = store_options_of(c, p->metrics);
    if (!store_options) return store_options.error();
    auto store = storage::open_store(*store_options);
    if (!store) return store.error();
    p->store = std::move(*store);
    if (opts.journal) p->journal_to = opts.journal;
    else if (c.journal.enabled) p->journal_to = &p->store->journal();
    p->retention = std::make_unique<storage::retention>(p->store->journal(), c.journal.retention_days);
    auto live = storage::bootstrap_registry(*p->store, c.bootstrap, c.bootstrap_fingerprint, opts.reset_registry);
    if (!live) return live.error();
    p->registry = std::make_unique<routing::registry_holder>(std::move(*live));

    auto token = load_admin_token(c.admin_listener.token_file);
    if (!token) return token.error();
    p->token = std::move(*token);

    auto security = routing::transport_security::load(c.security);
    if (!security) return fail(errc::bad_config, c.source + ": " + security.error().detail);
    p->security = std::move(*security);
    p->security->ask_ocsp_through(&p->ocsp);
    // entries stored through the admin API were checked against the [security] of their day
    if (auto checked = routing::check_live_registry(p->registry->current()->data(), c.security, p->security.get()); !checked)
        return fail(errc::bad_config, c.source + ": the stored registry: " + checked.error().detail);
    p->soap_client.sign_with(p->security.get());
    p->client_tls = std::make_unique<http::client_tls>(c.security.trusted_ca);
    // an https:// point's CA and client certificate are read now: a bad file stops start-up
    const auto view = p->registry->current();
    for (const auto& dp : view->data().delivery_points)
        if (const auto& to = view->target(dp); to.endpoint && to.endpoint->tls)
            if (auto ctx = p->client_tls->context_for(to.tls); !ctx)
                return fail(errc::bad_config, fmt::format("{}: delivery point \"{}\": {}", c.source, dp.id, ctx.error().detail));
    p->soap_client.use_tls(p->client_tls.get());
    p->rest_client.use_tls(p->client_tls.get());
    if (auto r = p->clients.add(point_kind::builtin, p->builtin_client); !r) return r.error();
    if (auto r = p->clients.add(point_kind::soap, p->soap_client); !r) return r.error();
    if (auto r = p->clients.add(point_kind::rest, p->rest_client); !r) return r.error();
    // A peer gateway is reached over its SOAP channel; its target carries the
    // peer's address and this node's login there (synchronous calls only in
    // this build: the registry refuses asynchronous services through a peer).
    if (auto r = p->clients.add(point_kind::gateway, p->soap_client); !r) return r.error();

    auto& messages = p->store->messages();
    p->throttles.set_shared(messages.shared()); // a point's throttle holds across the nodes sharing the store
    p->points = std::make_unique<routing::point_states>(messages);
    if (auto r = run_blocking(p->points->load()); !r) return r.error(); // before any listener opens
    if (!c.incidents.notify_url.empty())
        p->webhook = std::make_unique<admin::incident_webhook>(*parse_url(c.incidents.notify_url),
                                                               std::chrono::milliseconds(c.incidents.notify_timeout_ms));
    routing::incident_settings incident_settings;
    incident_settings.undelivered_after_ms = c.incidents.undelivered_after_s * 1000;
    p->incidents = std::make_unique<routing::incident_desk>(
        p->rt, messages, p->store->incidents(), opts.incident_clock ? *opts.incident_clock : p->clock, p->metrics,
        p->webhook.get(), incident_settings);
    if (auto r = run_blocking(p->incidents->load()); !r) return r.error();
    p->points->set_observer([d = p->incidents.get()](const std::string& point, bool on, const std::string& reason) {
        d->point_switched(point, on, reason);
    });
    p->engine = std::make_unique<routing::delivery_engine>(p->rt, messages, *p->registry, p->clients, p->throttles,
                                                           *p->points, p->clock, p->metrics, *p->journal_to);
    p->sync = std::make_unique<routing::sync_gateway>(*p->registry, p->auth, p->clients, p->throttles, *p->points,
                                                      routing::sync_limits{c.limits.sync_timeout_ms}, p->metrics,
                                                      *p->journal_to, p->security.get());
    p->sync_plain = std::make_unique<soap::sync_endpoint>(*p->sync, false, p->soap_requests, p->security.get());
    p->sync_signed = std::make_unique<soap::sync_endpoint>(*p->sync, true, p->soap_requests, p->security.get());
    // A channel endpoint as a route of the public listener.
    auto route_to = [](auto* endpoint) {
        return [endpoint](http::request& req, const http::path_params&) { return endpoint->handle(req); };
    };
    if (auto r = p->public_router.add(c.paths.sync, route_to(p->sync_plain.get())); !r) return r.error();
    if (auto r = p->public_router.add(c.paths.sync_signed, route_to(p->sync_signed.get())); !r) return r.error();

    routing::async_limits async_limits{c.limits.pull_batch_default, c.limits.pull_batch_max, c.limits.pull_lease_ms,
                                       c.limits.max_queue_depth};
    p->async = std::make_unique<routing::async_gateway>(*p->registry, p->auth, messages, *p->engine, *p->points,
                                                        async_limits, p->metrics, *p->journal_to, p->security.get());
    if (auto r = run_blocking(p->async->recover()); !r) return r.error();
    p->async_endpoint = std::make_unique<soap::async_endpoint>(*p->async, p->soap_requests, false, p->security.get());
    p->async_signed = std::make_unique<soap::async_endpoint>(*p->async, p->soap_requests, true, p->security.get());
    if (auto r = p->public_router.add(c.paths.async, route_to(p->async_endpoint.get())); !r) return r.error();
    if (auto r = p->public_router.add(c.paths.async_signed, route_to(p->async_signed.get())); !r) return r.error();
    p->rest_endpoint = std::make_unique<rest::rest_endpoint>(*p->sync, *p->async, p->rest_requests,
                                                             c.limits.pull_batch_max, c.paths.rest);
    if (auto r = p->rest_endpoint->mount(p->public_router, c.paths.rest); !r) return r.error();

    const auto server_opts = server_options_from(c.limits);
    p->public_server = std::make_unique<http::server>("public listener", p->rt, server_opts, p->public_router);
    if (auto tls = tls_for(c.public_listener, "listeners.public.tls"); !tls) return tls.error();
    else p->public_server->use_tls(*tls);
    auto pub = p->public_server->listen(c.public_listener.address, c.public_listener.port);
    if (!pub) return pub.error();
    p->public_port = pub->port();

    p->message_admin = std::make_unique<routing::message_admin>(messages, *p->engine, *p->journal_to);
    p->registry_editor = std::make_unique<routing::registry_editor>(*p->store, *p->registry, c.security, p->security.get(),
                                                                    [e = p->engine.get()] { e->reconsider(); });
    if (auto* shared = messages.shared()) {
        auto* desk = p->incidents.get();
        desk->watch_queues(false); // until this node leads the cluster
        p->cluster = std::make_unique<routing::cluster_follower>(
            p->rt, *shared, messages, *p->registry, *p->registry_editor, *p->points, *p->engine, p->metrics,
            [desk](bool leads) { desk->watch_queues(leads); });
    }
    p->metrics.get_gauge("qaqpa_build_info", "the running qaqpa build", {{"version", QAQPA_VERSION}}).set(1);
    p->admin = std::make_unique<admin::admin_api>(
        p->token,
        admin::admin_surface{
            *p->engine, *p->message_admin, *p->incidents, *p->registry_editor, p->store->journal(), p->metrics,
            [m = &messages] { return m->write_problem(); },
            [p = p.get(), m = &messages] { return p->scraped.refresh(*p->registry, *p->points, *m, p->metrics); }});
    p->admin_server = std::make_unique<http::server>("admin listener", p->rt, server_opts, *p->admin);
    if (auto tls = tls_for(c.admin_listener, "listeners.admin.tls"); !tls) return tls.error();
    else p->admin_server->use_tls(*tls);
    auto adm = p->admin_server->listen(c.admin_listener.address, c.admin_listener.port);
    if (!adm) return adm.error();
    p->admin_port = adm->port();

    // Stopped in reverse: password checks waiting in line fail at once (their
    // callers are answered), the listeners answer what is under way and
    // close, the PUSH workers finish their calls, and the committer writes
    // what was handed to it while the loops still run to take the answers.
    p->store_service = std::make_unique<stop_only>("store", [s = p->store.get()] { s->messages().stop(); });
    p->auth_service = std::make_unique<stop_only>("password checks", [a = &p->auth] { a->shutdown(); });
    p->services.add(*p->store_service);
    p->services.add(*p->retention);
    p->services.add(*p->incidents); // stopped after the engine: its last switches are recorded
    p->services.add(*p->engine); // messages accepted before a restart are delivered at once
    p->services.add(*p->registry_editor); // stopped after the admin listener: its edits finish
    if (p->cluster) p->services.add(*p->cluster); // stops first of the delivery: its claims are given up at once
    p->services.add(*p->public_server);
    p->services.add(*p->admin_server);
    p->services.add(*p->auth_service);
    p->services.start_all();
    p->rt.start();
    return std::unique_ptr<node>(new node(std::move(p)));
}

std::uint16_t node::public_port() const noexcept { return parts_->public_port; }

std::uint16_t node::admin_port() const noexcept { return parts_->admin_port; }
const std::string& node::admin_token() const noexcept { return parts_->token; }

const metrics_registry& node::metrics() const noexcept { return parts_->metrics; }

std::vector<routing::delivery_engine::queue_counters> node::delivery_counters() const {
    return parts_->engine->counters();
}

void node::stop() {
    if (!parts_ || parts_->stopped) return;
    parts_->stopped = true;
    parts_->services.stop_all(); // while the loops run, each bounded
    // Suspended sessions refer to the servers, the gateway and the registry:
    // destroy them (with the io_contexts) while all of those still exist.
    parts_->rt.stop();
    parts_->rt.join();
    parts_->public_server->release_acceptors();
    parts_->admin_server->release_acceptors();
    parts_->engine->release_workers();
    parts_->rt.shutdown();
}

void node::run_until_signal(const std::function<result<config>()>& reread) {
    // Signals arrive on an event loop; they are acted on here, on the
    // caller's thread, so a reload's store write never blocks a loop.
    std::mutex mutex;
    std::condition_variable arrived;
    std::deque<int> pending;
    // Held so it can be destroyed before the io_contexts are (see below).
    std::optional<boost::asio::signal_set> held(std::in_place, parts_->rt.context(0), SIGINT, SIGTERM);
    auto& signals = *held;
    if (reread) signals.add(SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                               int sig) {
        if (ec) return;
        {
            std::lock_guard lk(mutex);
            pending.push_back(sig);
        }
        arrived.notify_one();
        if (sig == SIGHUP) signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);
    for (;;) {
        std::unique_lock lk(mutex);
        arrived.wait(lk, [&] { return !pending.empty(); });
        const int sig = pending.front();
        pending.pop_front();
        lk.unlock();
        if (sig != SIGHUP) {
            log::info("node", "signal {}: stopping", sig);
            break;
        }
        auto cfg = reread();
        auto applied = cfg ? reload_registry(*cfg) : result<void>(cfg.error());
        if (applied) log::info("node", "SIGHUP: registry reloaded from the configuration file");
        else log::error("node", "SIGHUP: registry not reloaded, the running one stays: {}", applied.error().detail);
        if (auto tls = cfg ? reload_tls(*cfg) : result<void>(cfg.error()); !tls)
            log::error("node", "SIGHUP: TLS certificates not reloaded, the running ones stay: {}", tls.error().detail);
    }
    // The signal set must go before stop() destroys the io_context it
    // lives on. Destroyed on that context's thread, after the cancelled
    // wait's completion, so no handler can reach it afterwards.
    std::promise<void> gone;
    boost::asio::post(parts_->rt.context(0), [&] {
        signals.cancel();
        held.reset();
        gone.set_value();
    });
    if (gone.get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready)
        log::error("node", "event loop 0 did not run for 5 s while stopping");
    stop();
}

result<void> node::reload_tls(const config& cfg) {
    const std::tuple<http::server*, const listener_config*, const char*> listeners[] = {
        {parts_->public_server.get(), &cfg.public_listener, "listeners.public.tls"},
        {parts_->admin_server.get(), &cfg.admin_listener, "listeners.admin.tls"}};
    for (const auto& [server, l, key_path] : listeners) {
        if (!server->serves_tls()) continue;
        if (!l->tls) {
            log::warn("node", "SIGHUP: the {} keeps TLS until a restart", server->name());
            continue;
        }
        auto tls = tls_for(*l, key_path);
        if (!tls) return tls.error();
        server->use_tls(*tls);
        log::info("node", "SIGHUP: the {}'s TLS certificate read again", server->name());
    }
    return {};
}

result<void> node::reload_registry(const config& cfg) {
    return parts_->registry_editor->reload(cfg); // a worker waiting on an old policy looks again
}

} // namespace qaqpa::cmd
