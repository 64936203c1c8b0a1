// SPDX-License-Identifier: MIT
// Round-robin scheduling policy over vCPUs, pure and hardware-free: the kernel embeds an Entity
// in each vCPU (struct Vcpu : hv::sched::Entity), calls tick() from the local APIC timer,
// block/wake/yield/remove from hypercalls and exits, and pick_next() whenever need_resched()
// says so; a null pick means idle (HLT until an interrupt). No heap: an intrusive FIFO.
//
// Growth path, by design:
// - More vCPUs per domain: the policy schedules vCPUs, never domains; a domain with n vCPUs
//   simply adds n entities. Per-domain fairness becomes a per-entity slice (Entity::slice).
// - SMP: one Round_robin per physical CPU (no global state here). Entity::cpu names the queue
//   that owns it; a wake from another CPU takes that queue's lock and sends a reschedule IPI
//   when need_resched() turns true; migration is remove() + add() under both locks.
#pragma once

#include <cstdint>

#include "hv/result.hpp"

namespace hv::sched
{

enum class State : uint8_t
{
    DEAD, // not known to the scheduler (never added, or removed)
    RUNNABLE,
    BLOCKED,
};

enum class Error : uint8_t
{
    ALREADY_ADDED,
    NOT_ADDED,
};

constexpr char const *error_name(Error e)
{
    return e == Error::ALREADY_ADDED ? "vcpu already scheduled" : "vcpu not scheduled";
}

struct Entity
{
    Entity *next = nullptr;
    Entity *prev = nullptr;
    State state = State::DEAD;
    bool queued = false; // in the run queue (runnable and not current)
    uint32_t cpu = 0;    // owning run queue, for SMP
    uint64_t slice = 0;  // time slice in timer units; 0: the scheduler's default
    uint64_t runs = 0;   // times picked, for statistics and tests
};

class Round_robin
{
  public:
    explicit constexpr Round_robin(uint64_t default_slice) : default_slice_{default_slice} {}

    // A new vCPU becomes runnable at the tail of the queue.
    Result<void, Error> add(Entity &e)
    {
        if (e.state != State::DEAD)
            return unexpected(Error::ALREADY_ADDED);
        e.state = State::RUNNABLE;
        enqueue(e);
        return ok;
    }

    // Takes a vCPU off the CPU until wake(); blocking a blocked vCPU is harmless.
    Result<void, Error> block(Entity &e)
    {
        if (e.state == State::DEAD)
            return unexpected(Error::NOT_ADDED);
        if (e.state == State::BLOCKED)
            return ok;
        e.state = State::BLOCKED;
        if (&e == current_)
            need_resched_ = true;
        else
            unlink(e);
        return ok;
    }

    // Makes a blocked vCPU runnable again (at the tail); waking a runnable one is harmless.
    Result<void, Error> wake(Entity &e)
    {
        if (e.state == State::DEAD)
            return unexpected(Error::NOT_ADDED);
        if (e.state == State::RUNNABLE)
            return ok;
        e.state = State::RUNNABLE;
        if (&e != current_) // current_ blocked but not yet switched away: it just stays
            enqueue(e);
        if (current_ == nullptr)
            need_resched_ = true;
        return ok;
    }

    // The current vCPU gives up the rest of its slice.
    void yield()
    {
        if (current_ != nullptr)
            need_resched_ = true;
    }

    // Forgets a vCPU (domain destroyed); it may be current, queued or blocked.
    void remove(Entity &e)
    {
        if (e.state == State::DEAD)
            return;
        unlink(e);
        e.state = State::DEAD;
        if (&e == current_) {
            current_ = nullptr;
            need_resched_ = true;
        }
    }

    // Timer tick at time `now`: true when the kernel should call pick_next().
    bool tick(uint64_t now)
    {
        if (current_ != nullptr && now >= slice_end_) {
            if (head_ != nullptr)
                need_resched_ = true;
            else
                slice_end_ = now + slice_of(*current_); // alone: keep running
        }
        if (current_ == nullptr && head_ != nullptr)
            need_resched_ = true;
        return need_resched_;
    }

    // Puts a still-runnable current vCPU at the tail and takes the head; nullptr: idle.
    Entity *pick_next(uint64_t now)
    {
        if (current_ != nullptr && current_->state == State::RUNNABLE)
            enqueue(*current_);
        current_ = head_;
        if (current_ != nullptr) {
            unlink(*current_);
            slice_end_ = now + slice_of(*current_);
            ++current_->runs;
        }
        need_resched_ = false;
        return current_;
    }

    Entity *current() const { return current_; }
    bool need_resched() const { return need_resched_; }
    // When the current slice ends: the deadline for the one-shot APIC timer.
    uint64_t slice_end() const { return slice_end_; }
    bool idle() const { return current_ == nullptr && head_ == nullptr; }

  private:
    uint64_t slice_of(Entity const &e) const { return e.slice != 0 ? e.slice : default_slice_; }

    void enqueue(Entity &e)
    {
        if (e.queued)
            return;
        e.next = nullptr;
        e.prev = tail_;
        if (tail_ != nullptr)
            tail_->next = &e;
        else
            head_ = &e;
        tail_ = &e;
        e.queued = true;
    }

    void unlink(Entity &e)
    {
        if (!e.queued)
            return;
        (e.prev != nullptr ? e.prev->next : head_) = e.next;
        (e.next != nullptr ? e.next->prev : tail_) = e.prev;
        e.next = e.prev = nullptr;
        e.queued = false;
    }

    uint64_t default_slice_;
    uint64_t slice_end_ = 0;
    Entity *head_ = nullptr;
    Entity *tail_ = nullptr;
    Entity *current_ = nullptr;
    bool need_resched_ = false;
};

} // namespace hv::sched
