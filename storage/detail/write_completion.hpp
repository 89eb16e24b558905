#pragma once
// How a store's committer hands results back to the writers that wait for a
// group commit (private to storage/): each writer resumes on its own
// executor, one post per io_context for the whole commit.

#include "core/async.hpp"
#include "core/errors.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <variant>
#include <vector>

namespace qaqpa::storage::detail {

using write_result = result<std::uint64_t>;
/// Who waits for a write: accept() wants the sequence, the others only
/// whether it succeeded. Never move-assign one (nor what holds one): Boost
/// 1.81's any_completion_handler recurses until the stack overflows on move
/// assignment (chriskohlhoff/asio#1180). Queues of them are only appended
/// to, swapped and cleared; a batch is never cut out of the middle of one.
using write_handler = std::variant<boost::asio::any_completion_handler<void(write_result)>,
                                   boost::asio::any_completion_handler<void(result<void>)>>;

/// Completes every write of `ops` (each with `.ex` and `.done`) with its
/// result: one post per io_context, every waiter there resuming from a
/// single wake-up rather than one cross-thread hand-off per write.
template <class Write>
void complete_writes(std::vector<Write>& ops, std::vector<write_result>& results) {
    struct resumption {
        write_handler handler;
        write_result result;
    };
    std::vector<std::pair<executor, std::vector<resumption>>> by_context;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        auto it = std::find_if(by_context.begin(), by_context.end(), [&](auto& g) { return g.first == ops[i].ex; });
        if (it == by_context.end()) {
            by_context.emplace_back(ops[i].ex, std::vector<resumption>{});
            it = std::prev(by_context.end());
        }
        it->second.push_back(resumption{std::move(ops[i].done), std::move(results[i])});
    }
    for (auto& [ex, group] : by_context)
        boost::asio::post(ex, [group = std::move(group)]() mutable {
            for (auto& [h, r] : group) {
                if (auto* seq = std::get_if<0>(&h)) std::move(*seq)(std::move(r));
                else if (r) std::move(std::get<1>(h))(result<void>{});
                else std::move(std::get<1>(h))(result<void>(r.error()));
            }
        });
}

} // namespace qaqpa::storage::detail
