#include "core/envelope.hpp"

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

} // namespace qaqpa
