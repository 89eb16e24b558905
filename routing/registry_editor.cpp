#include "routing/registry_editor.hpp"

#include "crypto/password.hpp"

#include <fmt/format.h>

namespace qaqpa::routing {
namespace {

/// The entries of one part, as registry_entry values.
template <class T>
std::vector<registry_entry> all_of(const std::vector<T>& items) {
    return {items.begin(), items.end()};
}

/// Calls `fn` with the vector of `part` inside `reg`.
template <class Reg, class F>
decltype(auto) with_part(Reg& reg, registry_part part, F&& fn) {
    switch (part) {
    case registry_part::systems: return fn(reg.systems);
    case registry_part::delivery_points: return fn(reg.delivery_points);
    case registry_part::services: return fn(reg.services);
    case registry_part::peers: return fn(reg.peers);
    case registry_part::access: break;
    }
    return fn(reg.access);
}

template <class T>
std::optional<std::size_t> index_of(const std::vector<T>& items, const std::string& key) {
    for (std::size_t i = 0; i < items.size(); ++i)
        if (entry_key(registry_entry(items[i])) == key) return i;
    return std::nullopt;
}

std::string describe(registry_part part, const std::string& key) {
    return fmt::format("{} \"{}\"", to_string(part), key);
}

} // namespace

result<void> check_live_registry(const registry& reg, const security_config& security, const transport_security* keys) {
    if (auto r = check_registry(reg, security); !r) return r;
    if (!keys) return {};
    if (auto r = keys->check_key_files(reg); !r) return fail(errc::invalid_request, r.error().detail);
    return {};
}

registry_editor::registry_editor(storage::store& store, registry_holder& holder, security_config security,
                                 const transport_security* keys, std::function<void()> changed)
    : store_(store), holder_(holder), security_(std::move(security)), keys_(keys), changed_(std::move(changed)) {}


result<void> registry_editor::reload(const config& cfg) {
    std::lock_guard lk(mutex_);
    if (keys_)
        if (auto r = keys_->check_key_files(cfg.bootstrap); !r) return r.error();
    auto live = storage::bootstrap_registry(store_, cfg.bootstrap, cfg.bootstrap_fingerprint, false);
    if (!live) return live.error();
    holder_.replace(std::move(*live));
    if (changed_) changed_();
    return {};
}

std::vector<registry_entry> registry_editor::entries(registry_part part) const {
    const auto view = holder_.current();
    return with_part(view->data(), part, [](const auto& items) { return all_of(items); });
}

result<registry_entry> registry_editor::entry(registry_part part, const std::string& key) const {
    const auto view = holder_.current();
    return with_part(view->data(), part, [&](const auto& items) -> result<registry_entry> {
        if (auto i = index_of(items, key)) return registry_entry(items[*i]);
        return fail(errc::not_found, "no entry " + describe(part, key));
    });
}

task<result<put_outcome>> registry_editor::put(registry_part part, read_entry e, bool create_only) {
    return worker_.run<result<put_outcome>>(
        [this, part, e = std::move(e), create_only]() mutable { return put_now(part, std::move(e), create_only); });
}

task<result<void>> registry_editor::remove(registry_part part, std::string key) {
    return worker_.run<result<void>>([this, part, key = std::move(key)] { return remove_now(part, key); });
}

task<result<void>> registry_editor::follow() {
    return worker_.run<result<void>>([this]() -> result<void> {
        std::lock_guard lk(mutex_);
        auto stored = store_.load_registry();
        if (!stored) return stored.error();
        if (!*stored) return {};
        if (auto ok = check_live_registry(**stored, security_, keys_); !ok) return ok.error();
        holder_.replace(std::move(**stored));
        if (changed_) changed_();
        return {};
    });
}

result<registry> registry_editor::base() const {
    if (!store_.messages().shared()) return holder_.current()->data();
    auto stored = store_.load_registry();
    if (!stored) return stored.error();
    if (!*stored) return holder_.current()->data();
    return std::move(**stored);
}

result<put_outcome> registry_editor::put_now(registry_part part, read_entry e, bool create_only) {
    std::lock_guard lk(mutex_);
    auto base_registry = base();
    if (!base_registry) return base_registry.error();
    registry next = std::move(*base_registry);
    const auto key = entry_key(e.entry);
    const auto at = with_part(next, part, [&](const auto& items) { return index_of(items, key); });
    if (at && create_only)
        return fail(errc::conflict, describe(part, key) + " exists already (PUT replaces it)");
    if (auto* s = std::get_if<system_entry>(&e.entry)) {
        if (e.plain_password) {
            s->password_hash = crypto::hash_password(*e.plain_password);
        } else if (s->password_hash.empty()) {
            if (!at) return fail(errc::invalid_request, "systems.password_hash: required key is missing");
            s->password_hash = next.systems[*at].password_hash; // unchanged
        } else if (!crypto::is_password_hash(s->password_hash)) {
            return fail(errc::invalid_request, "systems.password_hash: not a hash from qaqpa hash-password");
        }
    }
    if (auto* p = std::get_if<peer_entry>(&e.entry); p && p->password.empty()) {
        if (!at) return fail(errc::invalid_request, "peers.password: required key is missing");
        p->password = next.peers[*at].password; // unchanged
    }
    if (auto* d = std::get_if<delivery_point>(&e.entry); d && at && d->creds && d->creds->password.empty()) {
        const auto& old = next.delivery_points[*at].creds;
        if (old && old->login == d->creds->login) d->creds->password = old->password; // unchanged
    }
    std::visit([&](auto& value) {
        using T = std::decay_t<decltype(value)>;
        with_part(next, part, [&](auto& items) {
            if constexpr (std::is_same_v<typename std::decay_t<decltype(items)>::value_type, T>) {
                if (at) items[*at] = value;
                else items.push_back(value);
            }
        });
    }, e.entry);
    if (auto ok = check_live_registry(next, security_, keys_); !ok) return ok.error();
    if (auto r = install(std::move(next)); !r) return r.error();
    return put_outcome{std::move(e.entry), !at};
}

result<void> registry_editor::remove_now(registry_part part, const std::string& key) {
    std::lock_guard lk(mutex_);
    auto base_registry = base();
    if (!base_registry) return base_registry.error();
    registry next = std::move(*base_registry);
    const bool removed = with_part(next, part, [&](auto& items) {
        const auto at = index_of(items, key);
        if (at) items.erase(items.begin() + static_cast<std::ptrdiff_t>(*at));
        return at.has_value();
    });
    if (!removed) return fail(errc::not_found, "no entry " + describe(part, key));
    if (auto ok = check_registry(next, security_); !ok)
        return fail(errc::conflict, describe(part, key) + " is still referred to: " + ok.error().detail);
    return install(std::move(next));
}

result<void> registry_editor::install(registry next) {
    // The file's fingerprint stays: an unchanged file keeps this edit at the
    // next start; an edited file is merged over it (the file wins for what it names).
    auto source = store_.bootstrap_source();
    if (!source) return source.error();
    if (auto r = store_.save_registry(next, source->value_or("")); !r) return r.error();
    holder_.replace(std::move(next));
    if (changed_) changed_();
    return {};
}

} // namespace qaqpa::routing
