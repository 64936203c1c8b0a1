// SPDX-License-Identifier: MIT
#include "ward/gui/kms_backend.hpp"

#include <cstdio>
#include <vector>

namespace gvm
{

void Kms_backend::present(QImage const &frame, QRegion const &damage)
{
    QImage conv;
    QImage const *f = &frame;
    if (frame.format() != QImage::Format_RGB32 &&
        frame.format() != QImage::Format_ARGB32_Premultiplied) {
        conv = frame.convertToFormat(QImage::Format_RGB32);
        f = &conv;
    }
    std::vector<kms::Rect> rects;
    for (QRect const &r : damage)
        rects.push_back(kms::Rect{r.x(), r.y(), r.width(), r.height()});
    kms::Frame const k{f->constBits(), static_cast<uint32_t>(f->width()),
                       static_cast<uint32_t>(f->height()),
                       static_cast<std::size_t>(f->bytesPerLine())};
    if (auto s = out_->present(k, rects); !s) {
        if (failures_++ < 5) // a hung display must not flood the log
            std::fprintf(stderr, "ward-guid: kms: %s\n", s.error().message.c_str());
    }
}

} // namespace gvm
