#include "routing/cluster_follower.hpp"

#include "core/log.hpp"
#include "routing/destinations.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

namespace qaqpa::routing {
namespace {

/// The claim that makes a node the cluster's leader: no queue has its name.
const std::string lead_claim = "~lead";

/// How long stop() lets the loop give its claims up, then cancels it.
constexpr std::chrono::seconds finish_bound{3};

/// Every PUSH queue the registry can fill: each delivery point's and each
/// IS's own address it is PUSHed to (its own, or its peer gateway's).
std::vector<std::string> push_queues(const registry_view& view) {
    std::vector<std::string> out;
    for (const auto& p : view.data().delivery_points) out.push_back(point_queue(p.id));
    for (const auto& s : view.data().systems)
        if (view.system_target(s.id)) out.push_back(system_queue(s.id));
    return out;
}

} // namespace

cluster_follower::cluster_follower(runtime& rt, storage::shared_state& shared, storage::message_store& store,
                                   const registry_holder& registry, registry_editor& editor, point_states& points,
                                   delivery_engine& engine, metrics_registry& metrics,
                                   std::function<void(bool)> leading, cluster_timing timing)
    : runtime_(rt), shared_(shared), store_(store), registry_(registry), editor_(editor), points_(points),
      engine_(engine), leading_(std::move(leading)), timing_(timing),
      owned_gauge_(metrics.get_gauge("qaqpa_cluster_push_queues_owned",
                                     "PUSH queues this node delivers among the nodes sharing its store")),
      leader_gauge_(metrics.get_gauge("qaqpa_cluster_leader",
                                      "1 while this node leads the cluster (watches the queues for all)")),
      claim_failures_(metrics.get_counter("qaqpa_cluster_claim_failures_total",
                                          "rounds of PUSH queue claims the store did not answer")),
      followed_(metrics.get_counter("qaqpa_cluster_registry_follows_total",
                                    "registries installed because the stored one changed (a save through any node)")) {}

cluster_follower::~cluster_follower() { stop(); }

void cluster_follower::start() { tasks_.spawn(runtime_.context(0).get_executor(), follow()); }

void cluster_follower::stop() {
    if (stopping_.exchange(true)) return;
    boost::asio::post(runtime_.context(0), [this] {
        if (timer_) timer_->cancel();
    });
    tasks_.close();
    if (tasks_.wait(finish_bound)) return;
    tasks_.cancel();
    if (!tasks_.wait(finish_bound)) log::warn("cluster", "the cluster follower did not end after the stop");
}

task<void> cluster_follower::follow() {
    timer t(co_await boost::asio::this_coro::executor);
    timer_ = &t;
    // The registry installed at start-up is the one stored now.
    if (auto stamp = co_await shared_.registry_stamp(); stamp) stamp_ = std::move(*stamp);
    while (!stopping_) {
        if (std::chrono::steady_clock::now() >= next_claim_) co_await claim();
        co_await follow_registry();
        co_await follow_points();
        engine_.rescan_owned();
        if (stopping_) break;
        t.expires_after(timing_.tick);
        boost::system::error_code ec;
        co_await t.async_wait(use_task_ec(ec));
    }
    co_await give_up();
    timer_ = nullptr;
}

task<void> cluster_follower::claim() {
    const auto started = std::chrono::steady_clock::now();
    next_claim_ = started + timing_.claim_every;
    auto keys = push_queues(*registry_.current());
    keys.push_back(lead_claim);
    auto owned = co_await shared_.claim_points(std::move(keys), timing_.claim_ttl);
    if (!owned) {
        claim_failures_.inc();
        log::warn("cluster", "renewing this node's PUSH queues: {}", owned.error().detail);
        // Unrenewed, the claims lapse at the server and other nodes take the
        // queues: this node stops PUSHing them before that.
        if (!owned_.empty() && started - last_claimed_ > timing_.claim_ttl / 2) {
            owned_.clear();
            owned_gauge_.set(0);
            engine_.own({});
            lead(false);
        }
        co_return;
    }
    last_claimed_ = started;
    std::set<std::string> queues(owned->begin(), owned->end());
    const bool leads = queues.erase(lead_claim) > 0;
    const bool led = owned_.erase(lead_claim) > 0;
    for (const auto& q : queues)
        if (!owned_.contains(q)) log::info("cluster", "{}: PUSHed by this node ({})", q, shared_.node());
    for (const auto& q : owned_)
        if (!queues.contains(q)) log::warn("cluster", "{}: taken over by another node", q);
    if (leads != led)
        log::info("cluster", "this node ({}) {} the cluster", shared_.node(), leads ? "leads" : "no longer leads");
    lead(leads);
    owned_gauge_.set(static_cast<std::int64_t>(queues.size()));
    if (queues != owned_) engine_.own(queues);
    owned_ = std::move(queues);
    if (leads) owned_.insert(lead_claim); // given up with the queues
}

void cluster_follower::lead(bool leads) {
    leader_gauge_.set(leads ? 1 : 0);
    if (leading_) leading_(leads);
}

task<void> cluster_follower::give_up() {
    engine_.own({});
    owned_gauge_.set(0);
    lead(false);
    if (owned_.empty()) co_return;
    std::vector<std::string> released(owned_.begin(), owned_.end());
    owned_.clear();
    if (auto r = co_await shared_.release_points(std::move(released)); !r)
        log::warn("cluster", "giving up this node's PUSH queues: {} (they pass on at expiry)", r.error().detail);
}

task<void> cluster_follower::follow_registry() {
    auto stamp = co_await shared_.registry_stamp();
    if (!stamp || *stamp == stamp_) co_return;
    auto followed = co_await editor_.follow();
    if (!followed) {
        log::error("cluster", "the registry another node saved is not installed: {}", followed.error().detail);
    } else {
        followed_.inc();
        log::info("cluster", "the stored registry changed (a save through some node): installed");
    }
    stamp_ = std::move(*stamp); // a registry that does not pass is not tried again until the next save
}

task<void> cluster_follower::follow_points() {
    const auto seen = points_.generation();
    auto stored = co_await store_.points_off();
    if (!stored) co_return;
    for (const auto& point : points_.adopt(*stored, seen)) {
        log::info("cluster", "delivery point {} switched on by another node", point);
        engine_.resumed_elsewhere(point);
    }
}

} // namespace qaqpa::routing
