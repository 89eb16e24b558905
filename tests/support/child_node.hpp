#pragma once
// The real qaqpa binary as a child process on a test's directory: started
// with `serve --config DIR/qaqpa.toml`, its port read from what it prints,
// stopped (bounded) when the object goes.

#include "tests/support/temp_dir.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>

namespace qaqpa::test {

/// A child's configuration: data under ./data, two I/O threads, listeners on
/// free ports, `limits` as the [limits] table's lines, systems "sender" and
/// "owner" (passwords "<id>-password"), then `services` (TOML lines).
std::string child_config(const std::string& limits, const std::string& services);

/// The PULL service "inbox", owned by "owner", that "sender" may send to.
inline const std::string inbox_service = R"(
[[services]]
id = "inbox"
owner = "owner"
mode = "async"
delivery = "pull"
[[access]]
system = "sender"
service = "inbox"
)";

/// How many times `what` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& what);

struct child_options {
    int open_files = 0; ///< > 0: the child's open-file limit, soft and hard (prlimit)
};

class child_node {
public:
    /// Starts the binary at `binary`; REQUIREs that it listens within 20 s.
    child_node(const std::string& binary, const temp_dir& dir, child_options opts = {});
    ~child_node() { stop(15 /* SIGTERM */); }
    child_node(const child_node&) = delete;
    child_node& operator=(const child_node&) = delete;

    std::uint16_t port() const { return port_; }
    std::uint16_t admin_port() const { return admin_port_; }
    /// What the child wrote to stderr (its log) so far.
    std::string log() const;

    /// Sends `sig` and waits up to `bound` for the process to end (then
    /// kills it). The wait status, or -1 when it had to be killed.
    int stop(int sig, std::chrono::seconds bound = std::chrono::seconds(10));

private:
    static inline int runs_ = 0;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::uint16_t admin_port_ = 0;
    std::string log_file_;
};

} // namespace qaqpa::test
