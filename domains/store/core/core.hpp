// SPDX-License-Identifier: MIT
// The request core: connections, transactions, watches and domains around the node model,
// with one dispatch table shared by every transport (socket, shared ring).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../model/op.hpp"
#include "../model/quota.hpp"
#include "../model/tree.hpp"
#include "../model/view.hpp"
#include "../model/watch.hpp"
#include "ward/store/wire.hpp"

namespace dom::store
{

// Where a connection's outgoing messages go (the transport's output queue).
class Sink
{
  public:
    virtual ~Sink() = default;
    virtual void send(Header const &h, std::string_view payload) = 0;
};

struct Conn
{
    uint64_t id = 0;
    Caller caller;
    Sink *sink = nullptr;
    std::unordered_map<uint32_t, std::unique_ptr<Txn>> txns;
    uint32_t next_txid = 1;
    std::vector<Watch> watches;
};

struct Domain_info
{
    int64_t gfn = 0;
    uint32_t evtchn = 0;
    std::optional<uint32_t> target;
};

// The transport side of INTRODUCE / RELEASE: map (or unmap) a domain's ring page and bind its
// event channel. Without hooks, introductions are only recorded.
class Domain_hooks
{
  public:
    virtual ~Domain_hooks() = default;
    virtual hv::Result<void, Err> attach(uint32_t domid, Domain_info const &info) = 0;
    virtual void detach(uint32_t domid) = 0;
};

// One domain's quota set at start (`--quota DOMID:NAME=N`).
struct Domain_quota
{
    uint32_t domid;
    std::string name;
    uint32_t value;
};

// When the journal (persist/journal.hpp) lets a change's reply go (docs/store.md section 5).
enum class Durability : uint8_t
{
    FULL,    // after fdatasync: survives kill -9 and power loss
    PROCESS, // after write() to the journal, fdatasync'ed within a few ms: survives kill -9
};

struct Core_options
{
    Quotas quotas;
    std::vector<Domain_quota> domain_quotas; // applied over `quotas`, per domain
    bool keep_orphans = false;               // RELEASE keeps the nodes the domain owned
    uint32_t features = FEATURE_RECONNECTION | FEATURE_ERROR | FEATURE_WATCHDEPTH;
    Durability durability = Durability::FULL;
};

class Core
{
  public:
    explicit Core(Core_options opts = {});
    ~Core();
    Core(Core const &) = delete;
    Core &operator=(Core const &) = delete;

    Conn &open(Caller caller, Sink &sink);
    void close(Conn &c);

    // Handles one framed request and sends its reply (and any watch events) to the sinks.
    void handle(Conn &c, Header const &h, std::string_view payload);

    // Committed changes since the last take, for the journal; the transport must make them
    // durable before it releases the replies queued with them.
    std::vector<Op> take_journal() { return std::exchange(journal_, {}); }
    bool journal_pending() const { return !journal_.empty(); }

    // Replays one journal record (recovery). False if it does not apply.
    bool apply(Op const &op);

    void set_hooks(Domain_hooks *hooks) { hooks_ = hooks; }

    Tree const &tree() const { return tree_; }
    std::map<uint32_t, Domain_info> const &domains() const { return domains_; }
    std::map<std::string, Perms> const &special_perms() const { return specials_; }
    // Global quotas: the defaults a domain gets when it is introduced (or first named by
    // SET_QUOTA), as in C xenstored's alloc_domain().
    Quotas const &quotas() const { return opts_.quotas; }
    // The quotas that bind `domid`: its own copy if it has one, else the global ones.
    Quotas const &quotas_for(uint32_t domid) const;
    // Per-domain usage counted over all of the domain's unprivileged connections.
    size_t watches_of(uint32_t domid) const;
    size_t transactions_of(uint32_t domid) const;
    // Resolves a request path for a caller and applies the caller's path-max quota (the length
    // below "/local/domain/<N>/", as C xenstored measures it): EINVAL when over.
    hv::Result<std::string, Err> resolve(Conn const &c, std::string_view path) const;
    Core_options const &options() const { return opts_; }
    size_t connections() const { return conns_.size(); }

    // The following are for handlers (core/handlers_*.cpp).
    Tree &tree_mut() { return tree_; }
    std::vector<Op> &journal() { return journal_; }
    Quotas &quotas_mut() { return opts_.quotas; }
    // A domain's own quotas, created from the global ones if it has none yet.
    Quotas &domain_quotas_mut(uint32_t domid);
    std::map<uint32_t, Quotas> const &domain_quotas() const { return domain_quotas_; }
    void drop_domain_quotas(uint32_t domid);
    // Sets one of a domain's quotas at run time (SET_QUOTA with a domid): recorded so that the
    // journal keeps it (snapshot_ops), and queued for the journal when `journal` is true.
    void set_domain_quota(uint32_t domid, std::string_view name, uint32_t value, bool journal);
    // Per-domain values set by SET_QUOTA (domid, name) -> value, as the snapshot records them.
    std::map<std::pair<uint32_t, std::string>, uint32_t> const &set_quotas() const
    {
        return set_quotas_;
    }
    std::map<uint32_t, Domain_info> &domains_mut() { return domains_; }
    std::map<std::string, Perms> &specials_mut() { return specials_; }
    Domain_hooks *hooks() { return hooks_; }
    uint32_t features() const { return opts_.features; }

    // Queues watch events for a change (sent after the current reply).
    void fire(Change const &change);
    void fire_special(std::string_view name, uint32_t domid);
    // Sends the initial event of a newly added watch (after the reply).
    void queue_event(Conn &c, std::string epath, std::string const &token);
    // Drops a connection's watches and transactions (RESET_WATCHES, ring reconnection).
    void reset(Conn &c);
    // Connections of one domain (for SET_TARGET and RELEASE).
    std::vector<Conn *> conns_of(uint32_t domid);

  private:
    void send_error(Conn &c, Header const &h, Err e);
    void flush_events();

    Core_options opts_;
    Tree tree_;
    std::vector<Op> journal_;
    std::map<uint32_t, Domain_info> domains_;
    std::map<std::string, Perms> specials_;
    std::map<uint32_t, Quotas> domain_quotas_;
    std::map<std::pair<uint32_t, std::string>, uint32_t> set_quotas_;
    std::vector<std::unique_ptr<Conn>> conns_;
    uint64_t next_conn_ = 1;
    Domain_hooks *hooks_ = nullptr;

    struct Event
    {
        Conn *conn;
        std::string payload;
    };
    std::vector<Event> events_;
};

} // namespace dom::store
