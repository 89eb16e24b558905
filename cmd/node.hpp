#pragma once
// One running gateway node, wired from a config: store, registry, channels,
// listeners, runtime. The qaqpa binary runs one; integration tests start one
// in-process on port 0.
//
// Lifecycle: start() returns a running node (threads started, listeners
// bound); stop() stops accepting, lets in-flight requests finish (bounded),
// and joins the threads. The destructor stops.

#include "core/config.hpp"
#include "core/errors.hpp"
#include "core/journal.hpp"
#include "core/metrics.hpp"
#include "core/time_source.hpp"
#include "routing/delivery_engine.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace qaqpa::cmd {

struct node_options {
    bool reset_registry = false;
    /// Where message events go; null: nowhere yet (the journal comes later).
    /// Must outlive the node.
    journal_sink* journal = nullptr;
    /// The incident desk's clock (tests: simulated time for the undelivered
    /// delay); null: the wall clock. Must outlive the node.
    time_source* incident_clock = nullptr;
};

/// Hashes plain passwords (logging a warning unless quiet) and checks every
/// password_hash; the failure names the key.
result<void> prepare_registry(config& cfg, bool warn_plain);

class node {
public:
    static result<std::unique_ptr<node>> start(config cfg, node_options opts = {});
    ~node();

    std::uint16_t public_port() const noexcept;
    std::uint16_t admin_port() const noexcept;
    const std::string& admin_token() const noexcept;
    /// What the delivery policies decided so far, per PUSH queue.
    std::vector<routing::delivery_engine::queue_counters> delivery_counters() const;
    /// Every subsystem's series (what the metrics endpoint will export).
    const metrics_registry& metrics() const noexcept;

    void stop();
    /// Blocks until SIGINT/SIGTERM, then stops. With `reread`, SIGHUP reads
    /// the configuration again (loaded and prepared, see prepare_registry)
    /// and applies its registry as a restart would (reload_registry).
    void run_until_signal(const std::function<result<config>()>& reread = {});
    /// Applies a configuration's registry to the running node, merged into
    /// the live one as at start-up: policies, points, services and access
    /// rights change at once, without a restart. Listeners, limits and
    /// [node] keep their start-up values.
    result<void> reload_registry(const config& cfg);
    /// Reads the TLS listeners' certificates and keys again (the files
    /// `cfg` names): new connections get them, open ones keep theirs. A
    /// listener keeps serving as it was started (TLS or not) until a restart.
    result<void> reload_tls(const config& cfg);

    struct parts;

private:
    explicit node(std::unique_ptr<parts> p);
    std::unique_ptr<parts> parts_;
};

} // namespace qaqpa::cmd
