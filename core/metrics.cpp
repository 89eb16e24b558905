#include "core/metrics.hpp"

#include <algorithm>
#include <stdexcept>

namespace qaqpa {

histogram::histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1) {
    std::sort(bounds_.begin(), bounds_.end());
}

void histogram::observe(double v) noexcept {
    const auto i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_micro_.fetch_add(static_cast<std::uint64_t>(std::max(0.0, v) * 1e6), std::memory_order_relaxed);
}

std::vector<std::uint64_t> histogram::cumulative() const {
    std::vector<std::uint64_t> out;
    std::uint64_t running = 0;
    for (const auto& c : counts_) out.push_back(running += c.load(std::memory_order_relaxed));
    return out;
}

double histogram::sum() const noexcept { return static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6; }

metrics_registry::series& metrics_registry::find_or_make(const std::string& name, const std::string& help,
                                                         metric_kind kind, metric_labels labels, bool& made) {
    made = false;
    for (auto& s : series_) {
        if (s.name != name) continue;
        if (s.kind != kind) throw std::logic_error("metric " + name + " was made with another kind");
        if (s.labels == labels) return s;
    }
    made = true;
    series_.push_back({name, help, kind, std::move(labels), nullptr, nullptr, nullptr});
    return series_.back();
}

template <class T, class Make>
T& metrics_registry::series_of(const std::string& name, const std::string& help, metric_kind kind,
                               metric_labels labels, std::unique_ptr<T> series::*slot, Make make) {
    std::lock_guard lk(mutex_);
    bool made = false;
    auto& s = find_or_make(name, help, kind, std::move(labels), made);
    if (made) s.*slot = make();
    return *(s.*slot);
}

counter& metrics_registry::get_counter(const std::string& name, const std::string& help, metric_labels labels) {
    return series_of(name, help, metric_kind::counter, std::move(labels), &series::c,
                     [] { return std::make_unique<counter>(); });
}

gauge& metrics_registry::get_gauge(const std::string& name, const std::string& help, metric_labels labels) {
    return series_of(name, help, metric_kind::gauge, std::move(labels), &series::g,
                     [] { return std::make_unique<gauge>(); });
}

histogram& metrics_registry::get_histogram(const std::string& name, const std::string& help,
                                           std::vector<double> bounds, metric_labels labels) {
    return series_of(name, help, metric_kind::histogram, std::move(labels), &series::h,
                     [&] { return std::make_unique<histogram>(std::move(bounds)); });
}

void metrics_registry::visit(const std::function<void(const series_view&)>& fn) const {
    std::lock_guard lk(mutex_);
    for (const auto& s : series_) fn({s.name, s.help, s.kind, s.labels, s.c.get(), s.g.get(), s.h.get()});
}

} // namespace qaqpa
