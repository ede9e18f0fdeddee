// Kills a child that commits blocks in a tight loop with SIGKILL at random moments (20 times) and
// checks after each kill: every block the child reported committed is present with the reported
// hash, nothing is half-applied, and (every fifth round) the chain replays to the same state root.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <sstream>

#include "base/random.h"
#include "chain/genesis_file.h"
#include "chain/testing/chain_fixture.h"
#include "storage/test_util.h"

extern char** environ;

namespace hm::chain {
namespace {

using testing::CounterModule;

// Runs the child until it reports its first block, lets it run `run_ms` more, and kills it;
// returns the complete lines it printed.
std::vector<std::string> RunAndKill(const std::string& dir, uint64_t seed, int run_ms) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::string seed_str = std::to_string(seed);
  std::string child = HM_CRASH_CHILD;
  char* argv[] = {child.data(), const_cast<char*>(dir.c_str()), seed_str.data(), nullptr};
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, child.c_str(), &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);

  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);  // start-up bound
  bool running = false;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running && out.find('\n') != std::string::npos) {
      running = true;  // committing now: the kill comes at a random moment from here
      deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms);
    }
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fds[0], &set);
    timeval tv{0, 5000};
    if (::select(fds[0] + 1, &set, nullptr, nullptr, &tv) > 0) {
      ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;  // child died on its own: the checks below will say why
      out.append(buf, static_cast<size_t>(n));
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "child exited early with status " << status;
  // Whatever the child wrote before dying is still in the pipe.
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);

  std::vector<std::string> lines;
  size_t start = 0, nl;
  while ((nl = out.find('\n', start)) != std::string::npos) {  // drop a torn last line
    lines.push_back(out.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

TEST(CrashTest, KilledSequencerLosesNothingItReported) {
  storage::testing::TempDir dir;
  base::SeededRandom rng(20261121);
  std::map<uint64_t, std::string> reported;  // height -> block hash hex, across all runs
  uint64_t verified_height = 0;  // blocks 1..verified_height were checked in an earlier round
  uint64_t txs = 0;              // transactions in blocks 1..verified_height
  for (int round = 0; round < 20; ++round) {
    const int run_ms = 150 + static_cast<int>(rng.Uniform(350));
    auto lines = RunAndKill(dir.path(), rng.NextU64(), run_ms);
    for (const auto& line : lines) {
      std::istringstream in(line);
      std::string word, hash;
      uint64_t height = 0;
      in >> word >> height >> hash;
      ASSERT_EQ(word, "committed") << line;
      reported[height] = hash;
    }
    ASSERT_FALSE(reported.empty()) << "round " << round << ": child reported no block";

    auto genesis = LoadGenesisFile(dir.path() + "/genesis.json");
    ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
    auto store = testing::OpenChainStore(dir.path() + "/db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    CounterModule counter;
    auto chain = Chain::Open(store->get(), *genesis, {&counter});
    ASSERT_TRUE(chain.ok()) << "round " << round << ": " << chain.status().ToString();
    const Head head = (*chain)->head();
    ASSERT_GE(head.height, reported.rbegin()->first);

    // Every reported block is there, with the hash that was reported.
    for (const auto& [height, hash] : reported) {
      auto block = (*chain)->GetBlock(height);
      ASSERT_TRUE(block.ok() && block->has_value()) << "missing block " << height;
      ASSERT_EQ(base::HexEncode((*block)->header().Hash()), hash) << "block " << height;
    }

    // Nothing half-applied: the counter total equals the transactions in blocks, and every
    // transaction is indexed. (Blocks below verified_height were checked in earlier rounds;
    // a block is immutable once written.)
    for (uint64_t h = verified_height + 1; h <= head.height; ++h) {
      auto block = (*chain)->GetBlock(h);
      ASSERT_TRUE(block.ok() && block->has_value());
      for (const auto& tx : (*block)->txs) {
        auto loc = (*chain)->FindTx(tx.Hash());
        ASSERT_TRUE(loc.ok() && loc->has_value() && (*loc)->height == h);
      }
      txs += (*block)->txs.size();
    }
    EXPECT_EQ(CounterModule::Decode(*(*chain)->ReadState("counter", base::AsBytes("#total"))), txs);

    verified_height = head.height;
    // Replay from genesis reproduces the state root (every fifth round: replay is O(chain)).
    if (round % 5 != 4) continue;
    storage::testing::TempDir scratch_dir;
    auto scratch = testing::OpenChainStore(scratch_dir.Sub("db"));
    CounterModule fresh;
    auto replayed = ReplayChain(**store, scratch->get(), *genesis, {&fresh});
    ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
    EXPECT_EQ(replayed->state_root, head.state_root);
    EXPECT_EQ(replayed->block_hash, head.block_hash);
  }
  EXPECT_GT(verified_height, 20u);
}

}  // namespace
}  // namespace hm::chain
