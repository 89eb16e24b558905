#pragma once
// One libpq connection driven by an event loop: libpq in non-blocking mode,
// its socket waited on with Asio, so a query never blocks the thread that
// runs it. The PostgreSQL store keeps a pool of these; nothing outside
// storage/ sees a libpq type.
//
// Thread safety: a connection runs one query at a time, on the executor of
// the coroutine that calls it (the pool hands it out to one caller).

#include "core/async.hpp"
#include "core/errors.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

struct pg_conn;
struct pg_result;

namespace qaqpa::storage::detail {

/// A query's rows, as text (libpq's text format).
class pg_rows {
public:
    pg_rows() = default;
    explicit pg_rows(::pg_result* r);
    std::size_t size() const;
    std::size_t columns() const;
    bool is_null(std::size_t row, std::size_t column) const;
    /// The value as text; "" for NULL.
    std::string_view text(std::size_t row, std::size_t column) const;
    /// Rows changed by an INSERT, UPDATE or DELETE.
    std::size_t affected() const;

private:
    std::shared_ptr<::pg_result> r_;
};

/// A query parameter: text, or NULL.
using pg_param = std::optional<std::string>;

/// Parameters for exec(), built by a call: GCC 12 mishandles a braced list
/// inside a co_await expression ("array used as initializer").
template <class... Args>
std::vector<pg_param> pg_params(Args&&... args) {
    std::vector<pg_param> out;
    out.reserve(sizeof...(args));
    (out.emplace_back(std::forward<Args>(args)), ...);
    return out;
}

/// A NOTIFY that reached a connection LISTENing on its channel.
struct pg_notification {
    std::string channel;
    std::string payload;
};

/// A server error's SQLSTATE that a caller may retry the transaction after
/// (serialization failure, deadlock, a server shutting down, no resources).
bool pg_retryable(std::string_view sqlstate);

class pg_connection {
public:
    /// Connects with the libpq connection string `dsn` (keywords or a URI).
    /// A server that cannot be reached, refuses or does not finish within
    /// `timeout` is store_unavailable, naming the DSN without its password.
    static task<result<std::unique_ptr<pg_connection>>> open(std::string dsn, std::chrono::milliseconds timeout);
    ~pg_connection();
    pg_connection(const pg_connection&) = delete;
    pg_connection& operator=(const pg_connection&) = delete;

    /// Runs one statement with parameters $1, $2, ... (or, with none, a
    /// script of several). A server error is internal, or store_unavailable
    /// when retryable; its detail starts with "postgresql SQLSTATE: ". Lost
    /// connections and waits over `timeout` are store_unavailable, and the
    /// connection is then broken().
    /// `binary` marks the parameters sent as raw bytes (a bytea's, with no
    /// escaping); the others are text.
    task<result<pg_rows>> exec(std::string sql, std::vector<pg_param> params = {},
                               std::chrono::milliseconds timeout = std::chrono::seconds(30),
                               std::vector<bool> binary = {});

    /// Like exec() with parameters, the statement prepared on this
    /// connection the first time it runs (kept by its text, a few dozen at
    /// most): a statement run often is parsed and planned once.
    task<result<pg_rows>> exec_prepared(std::string sql, std::vector<pg_param> params,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(30),
                                        std::vector<bool> binary = {});

    /// The notifications that reached this connection (after a LISTEN on
    /// it), waiting up to `timeout` for the first when none is pending; none
    /// by then is an empty list. A lost connection is store_unavailable.
    task<result<std::vector<pg_notification>>> notifications(std::chrono::milliseconds timeout);

    /// The SQLSTATE of the last failed exec, "" when it did not reach the server.
    const std::string& last_sqlstate() const { return sqlstate_; }
    /// The server's warnings since the last call (say, a commit whose wait
    /// for a synchronous standby was cancelled: committed here, perhaps not
    /// replicated).
    std::vector<std::string> take_warnings();
    /// True when the connection is unusable (lost, timed out mid-query).
    bool broken() const;

private:
    explicit pg_connection(::pg_conn* c);
    /// Waits for the socket: false at the deadline (the connection then
    /// breaks when `break_on_deadline`).
    task<result<bool>> wait(bool for_write, std::chrono::steady_clock::time_point deadline,
                            bool break_on_deadline = true);
    std::vector<pg_notification> take_notifications();
    /// Sends what is queued and reads the statement's results to the end.
    task<result<pg_rows>> finish(std::chrono::steady_clock::time_point deadline);
    failure lost(std::string what);

    ::pg_conn* conn_;
    int fd_ = -1;
    bool broken_ = false;
    std::string sqlstate_;
    std::vector<std::string> warnings_;
    std::unordered_map<std::string, std::string> prepared_; ///< statement text → its name here
};

/// A text[] parameter's literal ({"a","b\"c"} for a and b"c): every element quoted, so
/// commas, braces, quotes and backslashes in it stay data.
std::string pg_text_array(const std::vector<std::string>& items);

/// A numeric array parameter's literal ({1,2,3}).
template <class T>
std::string pg_number_array(const std::vector<T>& items) {
    std::string out = "{";
    for (const auto& v : items) {
        if (out.size() > 1) out += ',';
        out += std::to_string(v);
    }
    return out + "}";
}

/// A bytea column's text ("\\x" and hex digits) as bytes; nullopt when it is not that.
std::optional<std::string> pg_bytea(std::string_view text);

/// `dsn` with any password=... value masked, for messages and logs.
std::string dsn_for_messages(std::string_view dsn);

} // namespace qaqpa::storage::detail
