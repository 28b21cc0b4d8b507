#pragma once
// PID 1's duties while the app runs, as tini does them: pass signals on, reap every
// zombie (orphaned grandchildren included), and when asked to stop give the app its
// shutdown budget before SIGKILLing its process group.
#include <sys/types.h>

#include "config/config.hpp"
#include "supervise/signals.hpp"

namespace wgs::supervise {

// Makes this process the reaper of orphaned descendants even when it is not PID 1 (on Fly,
// the platform's init is PID 1 and runs us as its child).
void become_subreaper();

// Reaps every exited child without blocking; returns the wait status of `watched` if it was
// among them.
std::optional<int> reap_children(pid_t watched);

// Supervises `app` until it exits; returns its exit code (128+N for signal N).
int supervise_app(pid_t app, SignalQueue& signals, config::Supervision const& settings);

}  // namespace wgs::supervise
