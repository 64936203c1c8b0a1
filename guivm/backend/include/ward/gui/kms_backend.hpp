// SPDX-License-Identifier: MIT
// KMS backend for the real GUI domain: presents the composed frame through kms::Output (libdrm
// dumb buffers, mode setting, page flips, double buffering). The screen size is the mode's.
#pragma once

#include <memory>

#include "ward/gui/backend.hpp"
#include "ward/gui/drm_device.hpp"

namespace gvm
{

class Kms_backend : public Backend
{
  public:
    explicit Kms_backend(std::unique_ptr<kms::Output> out) : out_(std::move(out)) {}
    void present(QImage const &frame, QRegion const &damage) override;
    kms::Output &output() { return *out_; }
    QSize size() const { return QSize(int(out_->width()), int(out_->height())); }
    uint64_t failures() const { return failures_; }

  private:
    std::unique_ptr<kms::Output> out_;
    uint64_t failures_ = 0;
};

} // namespace gvm
