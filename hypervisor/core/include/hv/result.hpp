// SPDX-License-Identifier: MIT
// hv::Result<T, E>: errors as values, spelled like std::expected (which g++ 12 lacks in C++20
// and which pulls in abort under -fno-exceptions). Built freestanding and hosted.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "hv/compiler.hpp"

namespace hv
{

// Called by Result::expect on a broken invariant. The hypervisor defines it to print and halt;
// hosted builds get a definition that prints to stderr and aborts.
HV_NORETURN void panic(char const *why);

template <typename E> struct Unexpected
{
    E value;
};

template <typename E> constexpr Unexpected<std::decay_t<E>> unexpected(E &&e)
{
    return {std::forward<E>(e)};
}

template <typename E> using Err = Unexpected<E>;

template <typename T, typename E> class [[nodiscard]] Result
{
  public:
    using value_type = T;
    using error_type = E;

    constexpr Result(T const &v) : ok_{true} { new (&val_) T(v); }
    constexpr Result(T &&v) : ok_{true} { new (&val_) T(std::move(v)); }
    template <typename G> constexpr Result(Unexpected<G> const &e) : ok_{false}
    {
        new (&err_) E(e.value);
    }
    Result(Result const &o) : ok_{o.ok_}
    {
        if (ok_)
            new (&val_) T(o.val_);
        else
            new (&err_) E(o.err_);
    }
    Result(Result &&o) : ok_{o.ok_}
    {
        if (ok_)
            new (&val_) T(std::move(o.val_));
        else
            new (&err_) E(std::move(o.err_));
    }
    Result &operator=(Result const &o)
    {
        if (this != &o) {
            destroy();
            ok_ = o.ok_;
            if (ok_)
                new (&val_) T(o.val_);
            else
                new (&err_) E(o.err_);
        }
        return *this;
    }
    Result &operator=(Result &&o)
    {
        if (this != &o) {
            destroy();
            ok_ = o.ok_;
            if (ok_)
                new (&val_) T(std::move(o.val_));
            else
                new (&err_) E(std::move(o.err_));
        }
        return *this;
    }
    ~Result() { destroy(); }

    constexpr bool has_value() const { return ok_; }
    constexpr explicit operator bool() const { return ok_; }

    // Precondition: has_value(). Checked by the caller, as with std::expected.
    T &operator*() & { return val_; }
    T const &operator*() const & { return val_; }
    T &&operator*() && { return std::move(val_); }
    T *operator->() { return &val_; }
    T const *operator->() const { return &val_; }

    // Precondition: !has_value().
    E const &error() const { return err_; }

    template <typename U> T value_or(U &&alt) const
    {
        return ok_ ? val_ : static_cast<T>(std::forward<U>(alt));
    }

    // The value, or a panic naming why it could not fail. Each call site says why in a comment.
    T &expect(char const *why) &
    {
        if (HV_UNLIKELY(!ok_))
            panic(why);
        return val_;
    }
    T &&expect(char const *why) &&
    {
        if (HV_UNLIKELY(!ok_))
            panic(why);
        return std::move(val_);
    }

  private:
    void destroy()
    {
        if (ok_)
            val_.~T();
        else
            err_.~E();
    }

    bool ok_;
    union
    {
        T val_;
        E err_;
    };
};

// Result<void, E>: success carries nothing.
struct Ok_t
{};
inline constexpr Ok_t ok{};

template <typename E> class [[nodiscard]] Result<void, E>
{
  public:
    using value_type = void;
    using error_type = E;

    constexpr Result() : ok_{true}, err_{} {}
    constexpr Result(Ok_t) : ok_{true}, err_{} {}
    template <typename G> constexpr Result(Unexpected<G> const &e) : ok_{false}, err_(e.value) {}

    constexpr bool has_value() const { return ok_; }
    constexpr explicit operator bool() const { return ok_; }
    constexpr void operator*() const {}
    E const &error() const { return err_; }
    void expect(char const *why) const
    {
        if (HV_UNLIKELY(!ok_))
            panic(why);
    }

  private:
    bool ok_;
    E err_;
};

// Monadic helpers standing in for the members g++ 12 lacks.
template <typename T, typename E, typename F> auto and_then(Result<T, E> const &r, F &&f)
{
    using R = decltype(f(*r));
    return r ? f(*r) : R{unexpected(r.error())};
}

template <typename T, typename E, typename F> auto transform(Result<T, E> const &r, F &&f)
{
    using U = decltype(f(*r));
    return r ? Result<U, E>{f(*r)} : Result<U, E>{unexpected(r.error())};
}

} // namespace hv

// Propagate an error: `auto v = HV_TRY(expr);` returns the error from the enclosing function.
#define HV_TRY(expr)                                                                               \
    ({                                                                                             \
        auto hv_try_r_ = (expr);                                                                   \
        if (HV_UNLIKELY(!hv_try_r_))                                                               \
            return ::hv::unexpected(hv_try_r_.error());                                            \
        *std::move(hv_try_r_);                                                                     \
    })
