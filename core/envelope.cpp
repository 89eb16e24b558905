#include "core/envelope.hpp"

#include <algorithm>

namespace qaqpa {

error_info to_error_info(const gateway_fault& fault, std::string session_id) {
    const auto& entry = describe(fault.cause.code);
    error_info info;
    info.code = std::string(entry.code);
    info.message = fault.cause.detail.empty() ? std::string(entry.message)
                                              : std::string(entry.message) + ": " + fault.cause.detail;
    info.date = now_datetime();
    info.sub_error = fault.sub_error;
    if (!session_id.empty()) info.session_id = std::move(session_id);
    return info;
}

void mark_for_peer(std::vector<property>& props, std::string_view trace, std::string_view origin) {
    const auto has = [&props](std::string_view key) {
        return std::any_of(props.begin(), props.end(), [key](const property& p) { return p.key == key; });
    };
    if (!has(trace_property)) props.push_back({std::string(trace_property), std::string(trace)});
    if (!has(origin_property)) props.push_back({std::string(origin_property), std::string(origin)});
}

std::string_view property_value(const std::vector<property>& props, std::string_view key) {
    for (const auto& p : props)
        if (p.key == key) return p.value;
    return {};
}

} // namespace qaqpa
