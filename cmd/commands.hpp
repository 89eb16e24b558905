#pragma once
// The qaqpa sub-commands. Each returns the process exit code.

#include <memory>
#include <span>
#include <string_view>

namespace qaqpa::cmd {

/// Exit code for a bad configuration (CONFIG.md).
inline constexpr int exit_bad_config = 2;

/// The allocator's memory limits, and the return of freed pages to the
/// system (tcmalloc builds; nothing otherwise). Made before anything else,
/// held for the process's life.
class allocator_upkeep {
public:
    allocator_upkeep();
    ~allocator_upkeep();
    allocator_upkeep(const allocator_upkeep&) = delete;
    allocator_upkeep& operator=(const allocator_upkeep&) = delete;

private:
    struct state;
    std::unique_ptr<state> state_;
};

int serve(std::span<const std::string_view> args);
int hash_password(std::span<const std::string_view> args);
/// `admin dp|journal ...`: calls the admin API of a running node.
int admin(std::span<const std::string_view> args);
/// `journal verify FILE`: checks an exported journal offline.
int journal(std::span<const std::string_view> args);

} // namespace qaqpa::cmd
