#pragma once
// The administrator's webhook ([incidents] notify_url): each new incident is
// POSTed as its JSON object (what GET /admin/v1/incidents/{id} answers); any
// 2xx answer is its delivery, anything else a failure the incident desk
// retries.
//
// Thread safety: notify() from any event loop (the client pools per loop).

#include "core/url.hpp"
#include "routing/incident_control.hpp"

#include <chrono>

namespace qaqpa::admin {

class incident_webhook final : public routing::incident_notifier {
public:
    incident_webhook(url to, std::chrono::milliseconds timeout) : to_(std::move(to)), timeout_(timeout) {}
    task<result<void>> notify(const incident& i) override;

private:
    url to_;
    std::chrono::milliseconds timeout_;
};

} // namespace qaqpa::admin
