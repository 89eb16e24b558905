#pragma once
// The queues a message can wait in, named as the store keys them:
//   dp/<point>               PUSHed to a delivery point (a service's provider)
//   is/<system>              PUSHed to an IS's own address (answers in its
//                            chains, status notifications)
//   pull/<system>/<service>  fetched by the IS with getMessages
// Pull queues are only ever built from their parts and looked up, never
// parsed back, so ids containing '/' cannot be confused.

#include <optional>
#include <string>
#include <string_view>

namespace qaqpa::routing {

enum class destination_kind { point, system, pull };

struct destination {
    destination_kind kind = destination_kind::point;
    std::string id; ///< the delivery point or the system
};

inline std::string point_queue(std::string_view point) { return "dp/" + std::string(point); }
inline std::string system_queue(std::string_view system) { return "is/" + std::string(system); }
inline std::string pull_queue(std::string_view system, std::string_view service) {
    return "pull/" + std::string(system) + "/" + std::string(service);
}

inline bool is_pull_queue(std::string_view q) { return q.rfind("pull/", 0) == 0; }

/// The PUSH target of a queue; nullopt for a pull queue or a foreign name.
inline std::optional<destination> push_destination(std::string_view q) {
    if (q.rfind("dp/", 0) == 0) return destination{destination_kind::point, std::string(q.substr(3))};
    if (q.rfind("is/", 0) == 0) return destination{destination_kind::system, std::string(q.substr(3))};
    return std::nullopt;
}

} // namespace qaqpa::routing
