#pragma once
// Changes to the live registry, one at a time, from the admin API and from
// SIGHUP: each builds the next registry from the current one, checks it as
// start-up does, persists it (keeping the file's fingerprint, so an
// unchanged file does not undo the edit at the next start) and installs it.
// The blocking parts (a password hash, the durable write) run on the
// editor's own thread, never on an event loop.
//
// Lifecycle: constructed by cmd/ after the store and the registry holder;
// stop() (a service) after the admin listener stopped.
// Thread safety: every public method may be called from any thread.

#include "core/blocking_worker.hpp"
#include "core/config.hpp"
#include "core/service.hpp"
#include "routing/registry_control.hpp"
#include "routing/registry_view.hpp"
#include "routing/transport_security.hpp"
#include "storage/store.hpp"

#include <functional>
#include <mutex>

namespace qaqpa::routing {

/// What a registry must pass to be served: check_registry against
/// `security`, and every encrypt_to a usable certificate (when `keys` is given).
/// Start-up applies it to the live registry, the editor to every change.
result<void> check_live_registry(const registry& reg, const security_config& security, const transport_security* keys);

class registry_editor final : public registry_control, public service {
public:
    /// `changed` runs after every installed change (the delivery engine looks
    /// again); `security` is what security modes are checked against, `keys`
    /// (may be null) what delivery points' encrypt_to certificates are.
    registry_editor(storage::store& store, registry_holder& holder, security_config security,
                    const transport_security* keys, std::function<void()> changed);

    std::string_view name() const noexcept override { return "registry editor"; }
    void start() override {}
    void stop() override { worker_.stop(); }

    /// Applies a configuration's registry as a restart would (SIGHUP):
    /// merged into the live one by storage::bootstrap_registry. Blocking.
    result<void> reload(const config& cfg);

    /// Installs the live registry as the store holds it now, when another
    /// node sharing the store saved it: checked as start-up does, not
    /// written again. A stored registry that does not pass stays unused.
    task<result<void>> follow();

    std::vector<registry_entry> entries(registry_part part) const override;
    result<registry_entry> entry(registry_part part, const std::string& key) const override;
    task<result<put_outcome>> put(registry_part part, read_entry e, bool create_only) override;
    task<result<void>> remove(registry_part part, std::string key) override;

private:
    result<put_outcome> put_now(registry_part part, read_entry e, bool create_only);
    result<void> remove_now(registry_part part, const std::string& key);
    /// What an edit starts from: the stored registry when nodes share the
    /// store (another may have changed it), else the installed one.
    result<registry> base() const;
    /// Persists `next` and installs it (under mutex_).
    result<void> install(registry next);

    storage::store& store_;
    registry_holder& holder_;
    security_config security_;
    const transport_security* keys_;
    std::function<void()> changed_;
    std::mutex mutex_; ///< one change at a time, API or SIGHUP
    blocking_worker worker_{"qaqpa-registry"};
};

} // namespace qaqpa::routing
