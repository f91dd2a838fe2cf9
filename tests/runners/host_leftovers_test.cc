// Crash recovery of the host runner: a process recorded by an earlier engine is killed only when
// it still is that process (same start time and boot), and a group whose leader already exited
// is killed through its remaining members.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "runners/host/proc_identity.h"
#include "runners/host/subprocess.h"

namespace baton::runners {
namespace {

bool alive(pid_t pid) {
  auto st = read_proc_stat(pid);
  return st && st->state != 'Z' && st->state != 'X';
}

std::unique_ptr<Subprocess> spawn(const std::string& script) {
  SpawnSpec spec;
  spec.argv = {"bash", "-c", script};
  spec.env = {"PATH=/usr/bin:/bin"};
  auto sp = Subprocess::spawn(spec);
  EXPECT_TRUE(sp.ok());
  return sp.ok() ? std::move(sp).value() : nullptr;
}

TEST(HostLeftovers, KillsTheRecordedProcessOnlyWhenItIsStillTheSame) {
  auto sp = spawn("sleep 1000");
  ASSERT_TRUE(sp);
  auto id = identity_of(sp->pid());
  ASSERT_TRUE(id);
  EXPECT_EQ(id->pgid, sp->pid());  // its own group
  EXPECT_FALSE(id->boot_id.empty());

  exec::ProcessIdentity recycled = *id;
  recycled.start_time += 1;  // another process that got the same pid later
  EXPECT_EQ(Subprocess::kill_leftover(recycled), "");
  exec::ProcessIdentity other_boot = *id;
  other_boot.boot_id = "00000000-0000-0000-0000-000000000000";
  EXPECT_EQ(Subprocess::kill_leftover(other_boot), "");
  EXPECT_TRUE(alive(sp->pid()));

  const std::string what = Subprocess::kill_leftover(*id);
  EXPECT_NE(what.find("killed pid " + std::to_string(sp->pid())), std::string::npos) << what;
  EXPECT_FALSE(alive(sp->pid()));
  EXPECT_EQ(Subprocess::kill_leftover(*id), "");  // nothing left the second time
}

TEST(HostLeftovers, KillsWhatIsLeftOfAGroupWhoseLeaderExited) {
  // The leader starts a background sleep in its group and exits.
  auto sp = spawn("sleep 1000 & echo $!");
  ASSERT_TRUE(sp);
  auto id = identity_of(sp->pid());
  ASSERT_TRUE(id);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!sp->try_wait() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(sp->exit_code());
  char buf[32] = {};
  ASSERT_GT(::read(sp->out().get(), buf, sizeof buf - 1), 0);
  const pid_t member = static_cast<pid_t>(std::atoi(buf));
  ASSERT_TRUE(alive(member));

  const std::string what = Subprocess::kill_leftover(*id);
  EXPECT_NE(what.find("1 process(es) of its process group " + std::to_string(id->pgid)),
            std::string::npos)
      << what;
  EXPECT_FALSE(alive(member));
  (void)::kill(member, SIGKILL);  // in case the assertion above failed
}

}  // namespace
}  // namespace baton::runners
