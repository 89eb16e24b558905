#include "transports/admin/prometheus.hpp"

#include "core/utf8.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <vector>

namespace qaqpa::admin {
namespace {

/// Backslash and newline escaped, and for a label value (`quotes`) the
/// double quote too, as the format wants in HELP text and label values.
std::string escape(const std::string& text, bool quotes) {
    std::string out;
    for (const char c : to_valid_utf8(text)) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '"' && quotes) out += "\\\"";
        else out += c;
    }
    return out;
}

/// {a="x",b="y"} with `extra` (le="...") last; "" for no labels.
std::string labels_of(const metric_labels& labels, const std::string& extra = {}) {
    if (labels.empty() && extra.empty()) return {};
    std::string out = "{";
    for (const auto& [k, v] : labels) {
        if (out.size() > 1) out += ',';
        out += k + "=\"" + escape(v, true) + "\"";
    }
    if (!extra.empty()) {
        if (out.size() > 1) out += ',';
        out += extra;
    }
    return out + "}";
}

std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", v);
}

const char* type_name(metric_kind k) {
    switch (k) {
    case metric_kind::counter: return "counter";
    case metric_kind::gauge: return "gauge";
    case metric_kind::histogram: return "histogram";
    }
    return "untyped";
}

void append_series(std::string& out, const metrics_registry::series_view& s) {
    switch (s.kind) {
    case metric_kind::counter:
        out += fmt::format("{}{} {}\n", s.name, labels_of(s.labels), s.c->value());
        break;
    case metric_kind::gauge:
        out += fmt::format("{}{} {}\n", s.name, labels_of(s.labels), s.g->value());
        break;
    case metric_kind::histogram: {
        const auto counts = s.h->cumulative();
        const auto& bounds = s.h->bounds();
        for (std::size_t i = 0; i < bounds.size(); ++i)
            out += fmt::format("{}_bucket{} {}\n", s.name, labels_of(s.labels, "le=\"" + number(bounds[i]) + "\""),
                               counts[i]);
        out += fmt::format("{}_bucket{} {}\n", s.name, labels_of(s.labels, "le=\"+Inf\""), counts.back());
        out += fmt::format("{}_sum{} {}\n", s.name, labels_of(s.labels), number(s.h->sum()));
        out += fmt::format("{}_count{} {}\n", s.name, labels_of(s.labels), counts.back());
        break;
    }
    }
}

} // namespace

std::string prometheus_text(const metrics_registry& registry) {
    // Group by name (a name's series may have been made apart), in the
    // order names first appeared.
    std::vector<std::string> order;
    std::map<std::string, std::string> bodies;
    registry.visit([&](const metrics_registry::series_view& s) {
        auto [it, fresh] = bodies.try_emplace(s.name);
        if (fresh) {
            order.push_back(s.name);
            it->second = fmt::format("# HELP {} {}\n# TYPE {} {}\n", s.name, escape(s.help, false), s.name, type_name(s.kind));
        }
        append_series(it->second, s);
    });
    std::string out;
    for (const auto& name : order) out += bodies[name];
    return out;
}

} // namespace qaqpa::admin
