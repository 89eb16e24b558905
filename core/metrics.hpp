#pragma once
// A small metrics registry: counters, gauges and histograms, each a named
// series with labels. Each subsystem owns a probe object holding references
// to its series (made once, then updated lock-free on the hot path); the
// admin transport will export the registry as Prometheus text.
//
// Thread safety: updating a series is a relaxed atomic operation; making a
// series and visiting the registry take its lock. Series live as long as the
// registry, at stable addresses.

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace qaqpa {

using metric_labels = std::vector<std::pair<std::string, std::string>>;

class counter {
public:
    void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class gauge {
public:
    void set(std::int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
    void add(std::int64_t d) noexcept { value_.fetch_add(d, std::memory_order_relaxed); }
    std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> value_{0};
};

/// Cumulative buckets by upper bound (seconds, bytes, ...), with their sum.
class histogram {
public:
    explicit histogram(std::vector<double> bounds);
    void observe(double v) noexcept;
    const std::vector<double>& bounds() const noexcept { return bounds_; }
    /// Observations <= bounds()[i], for each i, then the total count.
    std::vector<std::uint64_t> cumulative() const;
    double sum() const noexcept;

private:
    std::vector<double> bounds_;
    std::deque<std::atomic<std::uint64_t>> counts_; ///< per bucket, the last one for +Inf
    std::atomic<std::uint64_t> sum_micro_{0};       ///< sum in millionths, kept as an integer
};

enum class metric_kind { counter, gauge, histogram };

class metrics_registry {
public:
    /// The series `name` with `labels`, made on first use; the same call
    /// again returns the same series. A name keeps the kind it was made with.
    counter& get_counter(const std::string& name, const std::string& help, metric_labels labels = {});
    gauge& get_gauge(const std::string& name, const std::string& help, metric_labels labels = {});
    histogram& get_histogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                             metric_labels labels = {});

    struct series_view {
        const std::string& name;
        const std::string& help;
        metric_kind kind;
        const metric_labels& labels;
        const counter* c;
        const gauge* g;
        const histogram* h;
    };
    /// Calls `fn` with every series, in the order they were made.
    void visit(const std::function<void(const series_view&)>& fn) const;

private:
    struct series {
        std::string name, help;
        metric_kind kind;
        metric_labels labels;
        std::unique_ptr<counter> c;
        std::unique_ptr<gauge> g;
        std::unique_ptr<histogram> h;
    };
    series& find_or_make(const std::string& name, const std::string& help, metric_kind kind, metric_labels labels,
                         bool& made);
    /// The series, made with `make` into `slot` when new; under the lock.
    template <class T, class Make>
    T& series_of(const std::string& name, const std::string& help, metric_kind kind, metric_labels labels,
                 std::unique_ptr<T> series::*slot, Make make);

    mutable std::mutex mutex_;
    std::deque<series> series_;
};

} // namespace qaqpa
