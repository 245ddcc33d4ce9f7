#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/server/core/workflow_settings.hpp>
#include <draaischijf/server/net/hub.hpp>
#include <draaischijf/server/store/log_statements.hpp>

#include "api/api.hpp"
#include "core/key_file.hpp"
#include "net/connection.hpp"
#include "net/http.hpp"
#include "net/tls.hpp"
#include "net/witness_rounds.hpp"
#include "policy/hub_policy.hpp"
#include "policy/policy_gate.hpp"
#include "store/data_dir_lock.hpp"

namespace draaischijf::server {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

// The hub's receipt-signing key: created once, kept in data_dir with mode 0600. Its public half
// is kept beside it (`<name>.pub`, base64) for operators to hand to clients, which pin it to
// verify receipts. It is written only when missing or different, and a failure to write it is
// logged, not fatal: a hub restarted on a full or read-only disk must still come up and serve
// reads and acknowledgements; the key file is what signs.
protocol::SigningKey load_or_create_hub_key(const std::filesystem::path& path, Logger& log) {
  auto key = read_or_create_signing_key(path);
  auto public_path = path;
  public_path.replace_extension(".pub");
  const std::string text = protocol::base64_encode(key.public_key()) + "\n";
  if (auto current = certs::read_text_file(public_path); current && *current == text) {
    return key;
  }
  if (!certs::write_file_atomically(public_path, text)) {
    log.warning("hub_key.public_not_written",
                {{"file", std::string_view(public_path.filename().native())}});
  }
  return key;
}

// hub.db, its -wal and its -shm: 0600 (SQLite gives the -wal and -shm the database's mode when
// it makes them; older files are set here too).
void restrict_database_files(const std::filesystem::path& database) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ignored;
    std::filesystem::permissions(
        database.string() + suffix,
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
        std::filesystem::perm_options::replace, ignored);
  }
}

// The [retention] settings as the store applies them (names checked by the configuration).
RetentionPolicy retention_policy(const HubConfig& c) {
  const auto ms = [](std::chrono::hours h) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(h).count();
  };
  const auto periods = [&ms](const HubConfig::Retention::Periods& set) {
    PeriodOverride chosen;
    if (set.delivered) {
      chosen.settled_ms = ms(*set.delivered);
    }
    if (set.unfetched) {
      chosen.unfetched_ms = ms(*set.unfetched);
    }
    return chosen;
  };
  RetentionPolicy policy;
  policy.messages = {ms(c.retention.delivered), ms(c.retention.unfetched)};
  for (const auto& [name, set] : c.retention.kinds) {
    if (const auto kind = protocol::parse_name<protocol::MessageKind>(name)) {
      policy.kinds[*kind] = periods(set);
    }
  }
  for (const auto& [name, set] : c.retention.categories) {
    if (const auto category = protocol::parse_name<protocol::DataCategory>(name)) {
      policy.categories[*category] = periods(set);
    }
  }
  policy.orphan_blob_ms = ms(c.retention.orphan_blobs);
  policy.records_ms = ms(c.retention.records);
  policy.disclosures_ms = ms(c.retention.disclosures);
  policy.workflow_ms = ms(c.retention.workflow);
  policy.notices_ms = ms(c.retention.notices);
  policy.batch = c.retention.purge_batch;
  return policy;
}

// Runs passes one after the other until one reports nothing more, blocking until each
// committed: purge_now() and workflow_now(), for tests and tools.
template <class Report, class Start, class Each>
void passes_now(Start start, Each each, const std::string& name) {
  while (true) {
    std::promise<sqlite::Result<Report>> promise;
    auto future = promise.get_future();
    if (!start([&promise](sqlite::Result<Report> r) { promise.set_value(r); })) {
      throw std::runtime_error("the hub's write queue is full; run the " + name + " again later");
    }
    auto result = future.get();
    if (!result) {
      throw std::runtime_error("the " + name + " failed: " + result.error().message());
    }
    each(*result);
    if (!result->more) {
      return;
    }
  }
}

}  // namespace

struct Hub::Impl {
  Impl(const HubConfig& c, const TlsMaterial& t, Logger& l, const protocol::Clock& clk,
       std::shared_ptr<Storage> s, DataDirLock data_dir_lock)
      : data_lock(std::move(data_dir_lock)),
        config(c),
        tls(t),
        log(l),
        clock(clk),
        tls_context(make_tls_context(t, c.tls.crl_dir)),
        crl_timer(ioc),
        acceptor(ioc),
        drain_strand(net::make_strand(ioc)),
        drain_timer(drain_strand),
        hub_key(load_or_create_hub_key(c.server.data_dir / "hub-signing.key", l)),
        storage(std::move(s)),
        store(storage,
              {static_cast<std::int64_t>(c.limits.mailbox_quota_bytes),
               c.limits.mailbox_warning_fraction},
              retention_policy(c)),
        directory(storage),
        blobs(storage, c.server.data_dir / "blobs",
              {.max_blob_bytes = c.limits.max_blob_bytes,
               .quota_bytes = c.limits.blob_quota_bytes,
               .min_free_disk_bytes = c.limits.min_free_disk_bytes}),
        retention(storage, blobs, retention_policy(c)),
        timer_strand(net::make_strand(ioc)),
        retention_timer(timer_strand),
        purge_interval(c.retention.purge_interval),
        limiter(c.limits.rate_per_org, c.limits.rate_burst),
        policy(load_hub_policy(c)),
        consents(storage),
        referrals(storage),
        workflow_settings(c.workflow),
        gate(policy, directory, consents, workflow_settings, &referrals,
             &storage->directory_version()),
        logs(storage, hub_key),
        witnesses(c.transparency, logs, l),
        witness_timer(timer_strand),
        witness_interval(c.transparency.witness_interval),
        notices(storage),
        workflow(storage, hub_key, workflow_settings.get()->calendars, workflow_finders(c),
                 c.retention.purge_batch),
        workflow_timer(timer_strand),
        pass_interval(c.workflow.pass_interval),
        cases(storage),
        api({config, workflow_settings, log, store, directory, notifier, limiter, hub_key, counters,
             consents, gate, policy, clock, logs, notices, cases, referrals}),
        caps(net::make_strand(ioc), c.limits.max_handshakes_in_flight),
        services{config,
                 log,
                 directory,
                 api,
                 {config, log, blobs, api, clock},
                 notifier,
                 metrics,
                 stop_signal,
                 stopping,
                 next_request,
                 [this] { return metrics_text(); },
                 caps} {}

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  // A retention pass still on the writer calls account() after its COMMIT: wait for it before
  // the members it uses go (a pass is one short transaction; none starts once stopping).
  ~Impl() {
    stopping = true;
    while (purging || passing) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  // Held from before the store opens until after it closes (declared first, destroyed last).
  DataDirLock data_lock;
  HubConfig config;
  TlsMaterial tls;
  Logger& log;
  const protocol::Clock& clock;
  net::io_context ioc;
  std::mutex tls_mutex;
  std::shared_ptr<ssl::context> tls_context;  // replaced when the CRLs are reloaded
  net::steady_timer crl_timer;
  tcp::acceptor acceptor;
  // The stop's wait for the last connection: drain() and the wake the last connection posts
  // both run on this strand.
  net::strand<net::io_context::executor_type> drain_strand;
  net::steady_timer drain_timer;
  protocol::SigningKey hub_key;
  std::shared_ptr<Storage> storage;
  SqliteMessageStore store;
  SqliteDirectory directory;
  BlobStore blobs;
  Retention retention;
  // The periodic loops (retention, workflow), their timers and the purge interval live on this
  // strand: a reload changes the interval there and wakes the loop, which then waits the new
  // interval (no pass of its own).
  net::strand<net::io_context::executor_type> timer_strand;
  net::steady_timer retention_timer;
  std::chrono::seconds purge_interval;         // read and written on timer_strand only
  std::atomic<std::uint64_t> purge_passes{0};  // passes begun, for /metrics
  std::atomic<bool> purging{false};            // a chain of passes is under way
  std::mutex purged_mutex;  // account() writes on the writer thread, /metrics reads
  PurgeCounts purged;       // what retention deleted since the start, for /metrics
  Notifier notifier;
  RateLimiter limiter;
  PolicyInForce policy;
  SqliteConsentRegistry consents;
  ReferralStore referrals;
  WorkflowSettings workflow_settings;  // [workflow] and the calendars, replaced on a reload
  PolicyGate gate;
  TransparencyLogs logs;
  WitnessRounds witnesses;
  net::steady_timer witness_timer;        // on timer_strand
  std::chrono::seconds witness_interval;  // read and written on timer_strand only
  std::atomic<bool> witnessing{false};    // a round is under way (it may wait on a witness)
  NoticeStore notices;
  WorkflowPass workflow;
  net::steady_timer workflow_timer;
  std::chrono::seconds pass_interval;  // read and written on timer_strand only
  std::atomic<bool> passing{false};    // a chain of workflow passes is under way
  CaseStore cases;
  ApiCounters counters;
  Api api;
  Metrics metrics;
  std::atomic<bool> stopping{false};
  StopSignal stop_signal;
  std::function<void()> before_crl_reload;
  std::mutex reload_mutex;  // the periodic CRL reload and a requested one never overlap
  std::atomic<std::uint64_t> next_request{1};
  Caps caps;
  Services services;

  net::awaitable<void> accept_loop();
  net::awaitable<void> reload_crls();
  void reload_crls_now();
  void reload_policy_now();
  sqlite::Result<std::size_t> log_revocations();
  sqlite::Result<std::size_t> log_rule_set(const HubPolicy& rules);
  void replace_tls(TlsMaterial fresh);
  void reload_retention(const HubConfig& fresh);
  void reload_witnesses(const HubConfig& fresh);
  void reload_workflow(const HubConfig& fresh);
  net::awaitable<void> drain();
  void connection_ended(const std::exception_ptr& failure);
  bool admit(const boost::system::error_code& peer_error, const tcp::endpoint& peer,
             std::string& address);
  void report_expired_crls();
  // A chain of passes on the writer (retention, workflow): how to start one, what to do with
  // each report after its COMMIT, and the flag that says a chain is under way.
  template <class Report>
  struct PassChain {
    using Done = std::function<void(sqlite::Result<Report>)>;
    std::atomic<bool>& running;
    std::string_view failed_event;
    std::function<bool(std::int64_t, Done)> start;
    std::function<void(const Report&)> each;
  };
  template <class Report>
  void chain(const PassChain<Report>& passes);
  net::awaitable<void> every(net::steady_timer& timer, const std::chrono::seconds& interval,
                             std::function<void()> start_chain);
  void purge_chain();
  void account(const PurgeReport& report);
  std::vector<std::unique_ptr<CauseFinder>> workflow_finders(const HubConfig& c);
  void pass_chain();
  void witness_round();
  net::awaitable<void> run_witness_round();
  void announce(const WorkflowReport& report);
  std::string metrics_text();
  std::shared_ptr<ssl::context> current_tls() {
    const std::lock_guard lock(tls_mutex);
    return tls_context;
  }
};

std::string Hub::Impl::metrics_text() {
  std::string out;
  const auto counter = [&out](std::string_view name, std::string_view help, std::uint64_t value,
                              std::string_view type = "counter") {
    out += "# HELP ";
    out += name;
    out += " ";
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += " ";
    out += type;
    out += "\n";
    out += name;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
  };
  counter("draaischijf_requests_total", "HTTP requests read.", metrics.requests);
  counter("draaischijf_envelopes_accepted_total", "Envelopes stored and acknowledged.",
          counters.envelopes_accepted);
  counter("draaischijf_envelopes_refused_total", "Envelopes refused.", counters.envelopes_refused);
  counter("draaischijf_policy_refused_total", "Envelopes the policy refused (also counted above).",
          counters.policy_refused);
  counter("draaischijf_rate_limited_total", "Requests refused by the organisation rate limit.",
          counters.rate_limited);
  counter("draaischijf_connections_refused_total", "Connections refused at the limit.",
          metrics.connections_refused);
  counter("draaischijf_tls_handshakes_failed_total", "TLS handshakes or identities refused.",
          metrics.handshakes_failed);
  counter("draaischijf_tls_handshakes_in_flight", "TLS handshakes under way now.",
          caps.handshake_room.in_flight(), "gauge");
  counter("draaischijf_accept_waits_total",
          "Times new connections waited in the listen backlog for a handshake place "
          "(limits.max_handshakes_in_flight).",
          caps.handshake_room.waits());
  counter("draaischijf_access_refused_total",
          "Requests refused 403 or 404 on a known route (logged as access.refused).",
          counters.access_refused + metrics.access_refused);
  counter("draaischijf_streams_refused_total", "Notification streams refused (rate or caps).",
          metrics.streams_refused);
  counter("draaischijf_witness_cosignatures_total",
          "Cosignatures of the logs' checkpoints gathered from witnesses.",
          witnesses.cosignatures());
  counter("draaischijf_witness_failures_total",
          "Checkpoint submissions to a witness that failed (down, refused, bad answer).",
          witnesses.failures());
  counter("draaischijf_checkpoint_signatures_total",
          "Checkpoints the hub signed (one per tree head, however many answers carry it).",
          logs.signatures());
  counter("draaischijf_crl_reloads_failed_total", "CRL reloads that failed (old CRLs kept).",
          metrics.crl_reloads_failed);
  counter("draaischijf_policy_reloads_failed_total",
          "Rule set reloads refused (unreadable or not verified; the old rule set kept).",
          metrics.policy_reloads_failed);
  counter("draaischijf_tls_reloads_failed_total",
          "Server certificate reloads refused (unusable, or the key does not match; the old one "
          "kept).",
          metrics.tls_reloads_failed);
  counter("draaischijf_retention_passes_total",
          "Retention passes begun (one each purge interval; docs/POLICY.md, Retention).",
          purge_passes);
  counter("draaischijf_connections_open", "Connections open now.", metrics.connections, "gauge");
  counter("draaischijf_connections_authenticated", "Connections past the handshake and identity.",
          metrics.authenticated, "gauge");
  counter("draaischijf_stream_subscribers", "WebSocket notification subscribers now.",
          notifier.subscribers(), "gauge");
  counter("draaischijf_writer_queue", "Writes waiting for the group commit.",
          storage->writer().queued(), "gauge");
  out +=
      "# HELP draaischijf_retention_purged_total What retention deleted, by step (docs/POLICY.md, "
      "Retention).\n# TYPE draaischijf_retention_purged_total counter\n";
  PurgeCounts deleted;
  {
    const std::lock_guard lock(purged_mutex);
    deleted = purged;
  }
  deleted.for_each([&out](std::string_view what, std::size_t value) {
    out += "draaischijf_retention_purged_total{what=\"";
    out += what;
    out += "\"} " + std::to_string(value) + "\n";
  });
  // The hub cannot renew an epoch (the organisation key signs it): the operator alerts on these
  // and reminds the organisation's admin to run draaischijf admin renew.
  if (auto mailboxes = directory.all_mailboxes()) {
    const auto ends =
        count_epoch_ends(*mailboxes, clock.now_ms(),
                         static_cast<std::int64_t>(protocol::kEpochRenewalSeconds) * 1000);
    counter("draaischijf_mailbox_epochs_expired",
            "Mailboxes whose current epoch has ended: nobody can send to them.", ends.expired,
            "gauge");
    counter("draaischijf_mailbox_epochs_ending_soon",
            "Mailboxes whose current epoch ends within the renewal period.", ends.ending_soon,
            "gauge");
  }
  return out;
}

// On caps.handshake_room's strand. It takes a connection only when a handshake place is free:
// the others wait in the listen backlog (net/handshake_room.hpp).
net::awaitable<void> Hub::Impl::accept_loop() {
  while (!stopping) {
    co_await caps.handshake_room.wait_for_room();
    if (stopping) {
      co_return;
    }
    auto [error, socket] = co_await acceptor.async_accept(net::make_strand(ioc), kNoThrow);
    if (error) {
      if (error == net::error::operation_aborted || stopping) {
        co_return;
      }
      continue;  // EMFILE and the like: keep serving the connections we have
    }
    std::string address;
    boost::system::error_code peer_error;
    const auto peer = socket.remote_endpoint(peer_error);
    if (!admit(peer_error, peer, address)) {
      // Refused at once and cleanly: the others keep being served.
      ++metrics.connections_refused;
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
      continue;
    }
    ++metrics.connections;
    caps.handshake_room.enter();
    // Answers and notifications leave at once: an answer's last small record is not held by
    // Nagle until the client's delayed ACK.
    boost::system::error_code no_delay_error;
    socket.set_option(tcp::no_delay(true), no_delay_error);
    beast::tcp_stream stream(std::move(socket));
    auto executor = stream.get_executor();
    net::co_spawn(executor,
                  serve_connection(services, std::move(stream), current_tls(), std::move(address)),
                  [this](const std::exception_ptr& failure) { connection_ended(failure); });
  }
}

// The global cap, then the cap on handshakes still under way from one address: sockets that
// never start TLS hold a slot for limits.handshake_deadline at most, and one address cannot
// take more than limits.max_handshakes_per_address of them. Takes the handshake slot.
bool Hub::Impl::admit(const boost::system::error_code& peer_error, const tcp::endpoint& peer,
                      std::string& address) {
  if (metrics.connections >= config.limits.max_connections || peer_error) {
    return false;
  }
  address = peer.address().to_string();
  return caps.handshakes.take(address, config.limits.max_handshakes_per_address);
}

// Expired CRLs make every handshake under their CA fail closed; the operator hears of it.
void Hub::Impl::report_expired_crls() {
  for (const std::string& crl : expired_crls(config.tls.crl_dir)) {
    log.error("crl.expired", {{"crl", std::string_view(crl)}});
  }
}

void Hub::Impl::connection_ended(const std::exception_ptr& failure) {
  const bool last = --metrics.connections == 0;
  if (failure) {
    log.error("session.failed");
  }
  if (last && stopping) {
    net::post(drain_strand, [this] { drain_timer.cancel(); });
  }
}

Hub::Hub(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Hub::~Hub() = default;

std::unique_ptr<Hub> Hub::create(const HubConfig& config, const TlsMaterial& tls, Logger& log,
                                 const protocol::Clock& clock) {
  std::error_code created;
  std::filesystem::create_directories(config.server.data_dir, created);
  // The data directory is the hub's alone (0700), whoever made it. A read-only or full file
  // system may refuse even that; a folder that is the hub's alone already is fine.
  if (!created) {
    std::filesystem::permissions(config.server.data_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, created);
    std::error_code unread;
    if (created && (std::filesystem::status(config.server.data_dir, unread).permissions() &
                    std::filesystem::perms::mask) == std::filesystem::perms::owner_all) {
      created.clear();
    }
  }
  if (created) {
    throw std::runtime_error("cannot create server.data_dir " + config.server.data_dir.string());
  }
  if (config.tls.crl_dir.empty()) {
    throw std::runtime_error("tls.crl_dir is not set: the hub refuses to run without CRLs");
  }
  // One hub per data directory, and none while `restore` replaces the database.
  auto lock = DataDirLock::acquire(config.server.data_dir);
  if (!lock) {
    throw std::runtime_error("cannot claim server.data_dir " + config.server.data_dir.string() +
                             ": " + lock.error().message());
  }
  auto storage = Storage::open(
      (config.server.data_dir / "hub.db").string(),
      {config.limits.writer_queue, config.limits.writer_batch, config.limits.max_database_bytes});
  if (!storage) {
    throw std::runtime_error("cannot open the database in " + config.server.data_dir.string() +
                             ": " + storage.error().message());
  }
  restrict_database_files(config.server.data_dir / "hub.db");
  auto impl =
      std::make_unique<Impl>(config, tls, log, clock, std::move(*storage), std::move(*lock));
  // What the hub enforces from files is in the directory log before the first connection.
  if (auto logged = impl->log_rule_set(*impl->policy.get()); !logged) {
    throw std::runtime_error("cannot log the rule set in the directory log: " +
                             logged.error().message());
  }
  if (auto logged = impl->log_revocations(); !logged) {
    throw std::runtime_error("cannot log the CRLs' revocations in the directory log: " +
                             logged.error().message());
  }
  boost::system::error_code ec;
  const auto address = net::ip::make_address(config.server.listen_address, ec);
  if (ec) {
    throw std::runtime_error("server.listen_address is not an IP address");
  }
  const tcp::endpoint endpoint(address, config.server.listen_port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    impl->acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    throw std::runtime_error("cannot listen on " + config.server.listen_address + ":" +
                             std::to_string(config.server.listen_port) + ": " + ec.message());
  }
  return std::unique_ptr<Hub>(new Hub(std::move(impl)));
}

std::uint16_t Hub::port() const { return impl_->acceptor.local_endpoint().port(); }

Directory& Hub::directory() { return impl_->directory; }
ConsentRegistry& Hub::consents() { return impl_->consents; }

void Hub::before_crl_reload(std::function<void()> hook) {
  impl_->before_crl_reload = std::move(hook);
}

// New connections pick up CRLs published since the last look; a folder that cannot be read
// keeps the CRLs in use (they still expire, and then every handshake fails closed).
net::awaitable<void> Hub::Impl::reload_crls() {
  while (!stopping) {
    crl_timer.expires_after(config.tls.crl_reload_interval);
    auto [cancelled] = co_await crl_timer.async_wait(kNoThrow);
    if (cancelled || stopping) {
      co_return;
    }
    reload_crls_now();
  }
}

void Hub::Impl::reload_crls_now() {
  const std::lock_guard serial(reload_mutex);
  try {
    if (before_crl_reload) {
      before_crl_reload();
    }
    auto fresh = make_tls_context(tls, config.tls.crl_dir);
    report_expired_crls();
    // A revocation takes effect even when it cannot be logged now: refusing a revoked
    // certificate matters more than the record of it, which the next reload appends.
    if (auto logged = log_revocations(); !logged) {
      log.error("crl.log_failed", {{"reason", std::string_view(logged.error().message())}});
    }
    const std::lock_guard lock(tls_mutex);
    tls_context = std::move(fresh);
  } catch (const std::exception& failure) {
    ++metrics.crl_reloads_failed;
    log.error("crl.reload_failed", {{"reason", std::string_view(failure.what())}});
  }
}

// The revocations of the CRLs in tls.crl_dir that the directory log does not hold yet (kind 6).
sqlite::Result<std::size_t> Hub::Impl::log_revocations() {
  auto logged = log_statements(*storage, crl_revocation_entries(config.tls.crl_dir),
                               protocol::unix_ms(clock.now()));
  if (logged && *logged > 0) {
    log.info("crl.revocations_logged", {{"entries", static_cast<std::int64_t>(*logged)}});
  }
  return logged;
}

// The rule set's entry (kind 7), unless the log holds it: a rule set the hub enforced before
// (after a restart, or reloaded back to) is not logged again.
sqlite::Result<std::size_t> Hub::Impl::log_rule_set(const HubPolicy& rules) {
  return log_statements(
      *storage, {protocol::rule_set_entry(rules.text, rules.rules->version(), rules.operator_key)},
      protocol::unix_ms(clock.now()));
}

// The files are read and the signature verified before anything changes: a rule set that fails
// (unreadable, edited after signing, signed with another key, unparsable) leaves the one in
// force untouched, so a mistake while publishing never leaves the hub without rules.
void Hub::Impl::reload_policy_now() {
  try {
    auto fresh = load_hub_policy(config);
    const std::string version = fresh.rules->version();
    // Logged before it is enforced: a rule set the log does not hold is never in force.
    if (auto logged = log_rule_set(fresh); !logged) {
      throw std::runtime_error("cannot log the rule set in the directory log: " +
                               logged.error().message());
    }
    policy.replace(std::move(fresh));
    log.info("policy.reloaded", {{"version", std::string_view(version)}});
  } catch (const std::exception& failure) {
    ++metrics.policy_reloads_failed;
    const auto kept = policy.get();
    log.error("policy.reload_failed",
              {{"reason", std::string_view(failure.what())},
               {"version_in_force", std::string_view(kept->rules->version())}});
  }
}

// A renewed certificate and key are tried in a whole new context (with the CRLs) before
// anything changes: a key that does not match its certificate, or a file that is no PEM,
// leaves the one in force. Handshakes take the context when they start, so connections made
// before keep the old certificate until they close, and none is dropped.
void Hub::Impl::replace_tls(TlsMaterial fresh) {
  const std::lock_guard serial(reload_mutex);
  try {
    auto context = make_tls_context(fresh, config.tls.crl_dir);
    tls = std::move(fresh);
    const std::lock_guard lock(tls_mutex);
    tls_context = std::move(context);
    log.info("tls.reloaded");
  } catch (const std::exception& failure) {
    ++metrics.tls_reloads_failed;
    log.error("tls.reload_failed", {{"reason", std::string_view(failure.what())}});
  }
}

// The periods of envelopes stored from now on, and the next passes; what is stored keeps the
// periods it was stored with (they are in its row). A changed purge interval is handed to the
// purge loop on its strand, which then waits the new interval from now.
void Hub::Impl::reload_retention(const HubConfig& fresh) {
  auto terms = retention_policy(fresh);
  store.set_retention(terms);
  retention.set_policy(std::move(terms));
  const auto interval = fresh.retention.purge_interval;
  net::post(timer_strand, [this, interval] {
    if (interval != purge_interval) {
      purge_interval = interval;
      retention_timer.cancel();
    }
  });
  log.info("retention.reloaded",
           {{"delivered_days", static_cast<std::int64_t>(fresh.retention.delivered.count() / 24)},
            {"unfetched_days", static_cast<std::int64_t>(fresh.retention.unfetched.count() / 24)},
            {"purge_interval_seconds", static_cast<std::int64_t>(interval.count())}});
}

// The witnesses and their interval ([[witness]], [transparency]), on timer_strand where the
// rounds run: a witness whose certificate cannot be read keeps the witnesses in force (and the
// interval with them). A changed set starts a round at once; a changed interval starts a new
// wait of it, as the purge interval does.
void Hub::Impl::reload_witnesses(const HubConfig& fresh) {
  net::post(timer_strand, [this, transparency = fresh.transparency] {
    try {
      const auto count = witnesses.replace(transparency);
      if (transparency.witness_interval != witness_interval) {
        witness_interval = transparency.witness_interval;
        witness_timer.cancel();
      }
      log.info("witness.reloaded",
               {{"witnesses", static_cast<std::int64_t>(count)},
                {"interval_seconds", static_cast<std::int64_t>(witness_interval.count())}});
      witness_round();
    } catch (const std::exception& failure) {
      log.error("witness.reload_failed", {{"reason", std::string_view(failure.what())}});
    }
  });
}

// [workflow] from now on: the routes take the new settings with their next request, the next
// workflow pass counts on the new calendar with the new intervals. What is stored keeps what it
// was computed with (a referral its due dates). A changed pass interval is handed to the pass
// loop on its strand, as the purge interval is.
void Hub::Impl::reload_workflow(const HubConfig& fresh) {
  workflow_settings.set(fresh.workflow);
  workflow.replace(workflow_settings.get()->calendars, workflow_finders(fresh));
  const auto interval = fresh.workflow.pass_interval;
  net::post(timer_strand, [this, interval] {
    if (interval != pass_interval) {
      pass_interval = interval;
      workflow_timer.cancel();
    }
  });
  const auto& targets = fresh.workflow.targets;
  log.info("workflow.reloaded",
           {{"partner_received_days", static_cast<std::int64_t>(targets.partner_received_days)},
            {"partner_answered_days", static_cast<std::int64_t>(targets.partner_answered_days)},
            {"non_delivery_days", static_cast<std::int64_t>(fresh.workflow.non_delivery_days)},
            {"follow_up_days", static_cast<std::int64_t>(fresh.workflow.follow_up_days)},
            {"pass_interval_seconds", static_cast<std::int64_t>(interval.count())}});
}

void Hub::reload(ReloadedSettings fresh) {
  Impl& hub = *impl_;
  // On an I/O thread, like the periodic reload; connections and requests in flight go on.
  net::post(hub.ioc, [&hub, fresh = std::move(fresh)]() mutable {
    if (fresh.tls) {
      hub.replace_tls(std::move(*fresh.tls));
    }
    hub.reload_crls_now();
    hub.reload_policy_now();
    if (fresh.config) {
      hub.reload_retention(*fresh.config);
      hub.reload_witnesses(*fresh.config);
      hub.reload_workflow(*fresh.config);
    }
    hub.log.info("reload.finished");
  });
}

// Counts, logs and tells the senders of what expired (ids only); runs on the writer thread
// after the pass's COMMIT.
void Hub::Impl::account(const PurgeReport& report) {
  {
    const std::lock_guard lock(purged_mutex);
    purged += report;
  }
  // A pass expires up to a batch of envelopes, mostly from few senders: read each sender's
  // mailboxes once, not once per envelope, while the writer waits for this callback.
  std::map<protocol::Id, std::vector<Mailbox>> senders;
  for (const Expiry& x : report.expiries) {
    auto [found, added] = senders.try_emplace(x.sender_org);
    if (added) {
      if (auto own = directory.mailboxes(x.sender_org)) {
        found->second = std::move(*own);
      }
    }
    for (const Mailbox& m : found->second) {
      notifier.publish({m.mailbox_id, x.sequence, Notice::expired, x.mailbox_id, x.message_id});
    }
  }
  if (report.total() > 0) {
    log.info(
        "retention.purged",
        {{"expired", static_cast<std::int64_t>(report.expired)},
         {"envelopes", static_cast<std::int64_t>(report.envelopes)},
         {"blobs", static_cast<std::int64_t>(report.blobs + report.orphan_blobs)},
         {"records", static_cast<std::int64_t>(report.records + report.audit + report.disclosures)},
         {"workflow", static_cast<std::int64_t>(report.referrals + report.cases)},
         {"notices", static_cast<std::int64_t>(report.notices)}});
  }
}

// One pass, and the next as soon as it committed while a step or finder still filled its
// batch: each pass is a short transaction, so submissions get the writer in between. `running`
// is cleared when the chain ends (also when it fails or the writer is full: the next tick
// tries again).
template <class Report>
void Hub::Impl::chain(const PassChain<Report>& passes) {
  const bool queued = passes.start(clock.now_ms(), [this, passes](sqlite::Result<Report> result) {
    if (!result) {
      passes.running = false;
      log.error(passes.failed_event, {{"reason", std::string_view(result.error().message())}});
      return;
    }
    passes.each(*result);
    if (result->more && !stopping) {
      chain(passes);
    } else {
      passes.running = false;
    }
  });
  if (!queued) {
    passes.running = false;
  }
}

// On timer_strand. A wait cut short by a reload that changed the interval starts a new wait of
// the new interval without a pass; the stop ends the loop.
net::awaitable<void> Hub::Impl::every(net::steady_timer& timer,
                                      const std::chrono::seconds& interval,
                                      std::function<void()> start_chain) {
  bool due = true;
  while (!stopping) {
    if (due) {
      start_chain();
    }
    timer.expires_after(interval);
    auto [cancelled] = co_await timer.async_wait(kNoThrow);
    if (stopping) {
      co_return;
    }
    due = !cancelled;
  }
}

// On timer_strand: one round at a time; a round still waiting on a slow witness when the
// timer fires again lets that tick pass.
void Hub::Impl::witness_round() {
  if (witnesses.any() && !witnessing.exchange(true)) {
    net::co_spawn(timer_strand, run_witness_round(), net::detached);
  }
}

net::awaitable<void> Hub::Impl::run_witness_round() {
  co_await witnesses.round();
  witnessing = false;
}

void Hub::Impl::purge_chain() {
  if (!purging.exchange(true)) {
    ++purge_passes;
    chain(PassChain<PurgeReport>{purging, "retention.failed",
                                 [this](std::int64_t now, PassChain<PurgeReport>::Done done) {
                                   return retention.purge(now, std::move(done));
                                 },
                                 [this](const PurgeReport& report) { account(report); }});
  }
}

// The cause finders of the workflow pass (docs/WORKFLOW.md, "Notices"). The transfer window
// is the signed rules' objection_days, read at each pass, so a reloaded rule set counts.
std::vector<std::unique_ptr<CauseFinder>> Hub::Impl::workflow_finders(const HubConfig& c) {
  std::vector<std::unique_ptr<CauseFinder>> finders;
  finders.push_back(non_delivery_finder(c.workflow.non_delivery_days));
  finders.push_back(not_received_finder());
  finders.push_back(no_answer_finder());
  finders.push_back(follow_up_finder(c.workflow.follow_up_days));
  finders.push_back(
      transfer_window_finder([this] { return policy.get()->rules->settings().objection_days; }));
  return finders;
}

// After the pass's COMMIT (on the writer thread): each new notice is announced on /v1/stream
// to the mailbox it is for, or to every mailbox of its organisation. Ids only.
void Hub::Impl::announce(const WorkflowReport& report) {
  for (const CreatedNotice& n : report.created) {
    if (n.mailbox_id != protocol::Id{}) {
      notifier.publish({n.mailbox_id, n.sequence, Notice::hub_notice, n.mailbox_id, n.notice_id});
      continue;
    }
    if (auto own = directory.mailboxes(n.org_id)) {
      for (const Mailbox& m : *own) {
        notifier.publish({m.mailbox_id, n.sequence, Notice::hub_notice, {}, n.notice_id});
      }
    }
  }
  if (!report.created.empty()) {
    log.info("workflow.notices", {{"created", static_cast<std::int64_t>(report.created.size())}});
  }
}

void Hub::Impl::pass_chain() {
  if (!passing.exchange(true)) {
    chain(PassChain<WorkflowReport>{passing, "workflow.failed",
                                    [this](std::int64_t now, PassChain<WorkflowReport>::Done done) {
                                      return workflow.run(now, std::move(done));
                                    },
                                    [this](const WorkflowReport& report) { announce(report); }});
  }
}

WorkflowReport Hub::workflow_now() {
  WorkflowReport total;
  passes_now<WorkflowReport>(
      [this](std::function<void(sqlite::Result<WorkflowReport>)> done) {
        return impl_->workflow.run(impl_->clock.now_ms(), std::move(done));
      },
      [this, &total](const WorkflowReport& report) {
        impl_->announce(report);
        total.created.insert(total.created.end(), report.created.begin(), report.created.end());
      },
      "workflow pass");
  return total;
}

PurgeReport Hub::purge_now() {
  PurgeReport total;
  passes_now<PurgeReport>(
      [this](std::function<void(sqlite::Result<PurgeReport>)> done) {
        return impl_->retention.purge(impl_->clock.now_ms(), std::move(done));
      },
      [this, &total](const PurgeReport& report) {
        impl_->account(report);
        total += report;
      },
      "retention pass");
  return total;
}

void Hub::run() {
  Impl& hub = *impl_;
  net::co_spawn(hub.caps.handshake_room.strand(), hub.accept_loop(), net::detached);
  net::co_spawn(hub.ioc, hub.reload_crls(), net::detached);
  net::co_spawn(hub.timer_strand,
                hub.every(hub.retention_timer, hub.purge_interval, [&hub] { hub.purge_chain(); }),
                net::detached);
  net::co_spawn(hub.timer_strand,
                hub.every(hub.workflow_timer, hub.pass_interval, [&hub] { hub.pass_chain(); }),
                net::detached);
  if (hub.witnesses.any()) {
    hub.witnesses.publish();
  }
  // Also without witnesses: a reload may add some (a round then waits for one).
  net::co_spawn(hub.timer_strand,
                hub.every(hub.witness_timer, hub.witness_interval, [&hub] { hub.witness_round(); }),
                net::detached);
  hub.report_expired_crls();
  hub.log.info("listening", {{"port", static_cast<std::int64_t>(port())}});
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < hub.config.server.threads; ++i) {
    threads.emplace_back([&hub] { hub.ioc.run(); });
  }
  hub.ioc.run();
  for (auto& thread : threads) {
    thread.join();
  }
}

// Requests in flight finish; connections close after their current request; idle keep-alive
// connections and WebSockets are woken and closed. Ten seconds at most before the I/O stops.
// Runs on drain_strand, where the last connection to end cancels the wait (connection_ended):
// the count is read and the wait begun in one step on the strand, so that wake is not missed.
net::awaitable<void> Hub::Impl::drain() {
  drain_timer.expires_after(std::chrono::seconds(10));
  if (metrics.connections > 0) {
    auto [woken] = co_await drain_timer.async_wait(kNoThrow);
    if (!woken) {
      // The operator's sign that clients were cut off rather than finished.
      log.warning("stop.drain_timed_out",
                  {{"connections", static_cast<std::int64_t>(metrics.connections.load())}});
    }
  }
  ioc.stop();
}

void Hub::stop() {
  Impl& hub = *impl_;
  net::post(hub.ioc, [&hub] {
    hub.stopping = true;
    boost::system::error_code ignored;
    hub.acceptor.close(ignored);
    hub.caps.handshake_room.close();
    hub.crl_timer.cancel();
    net::post(hub.timer_strand, [&hub] {
      hub.retention_timer.cancel();
      hub.workflow_timer.cancel();
      hub.witness_timer.cancel();
    });
    hub.stop_signal.fire();
    net::co_spawn(hub.drain_strand, hub.drain(), net::detached);
  });
}

}  // namespace draaischijf::server
