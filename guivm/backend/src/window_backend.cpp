// SPDX-License-Identifier: MIT
// The Qt window backend: frame out, user input in.
#include "ward/gui/window_backend.hpp"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>

#include "ward/gui/compositor.hpp"

namespace gvm
{

namespace
{

uint32_t x_button(Qt::MouseButton b)
{
    switch (b) {
    case Qt::LeftButton: return 1;
    case Qt::MiddleButton: return 2;
    case Qt::RightButton: return 3;
    default: return 0;
    }
}

} // namespace

Window_backend::Window_backend(QSize size)
{
    resize(size);
    setTitle(QStringLiteral("Ward"));
}

void Window_backend::present(QImage const &frame, QRegion const &damage)
{
    frame_ = frame; // implicitly shared; paintEvent reads it
    update(damage);
}

void Window_backend::paintEvent(QPaintEvent *e)
{
    QPainter p{this};
    for (QRect const &r : e->region())
        p.drawImage(r.topLeft(), frame_, r);
}

void Window_backend::keyPressEvent(QKeyEvent *e)
{
    if (compositor_)
        compositor_->key({true, e->nativeScanCode(), e->key(), e->modifiers()});
}

void Window_backend::keyReleaseEvent(QKeyEvent *e)
{
    if (compositor_ && !e->isAutoRepeat())
        compositor_->key({false, e->nativeScanCode(), e->key(), e->modifiers()});
}

void Window_backend::mousePressEvent(QMouseEvent *e)
{
    if (compositor_)
        compositor_->button(e->position().toPoint(), x_button(e->button()), true, e->modifiers());
}

void Window_backend::mouseReleaseEvent(QMouseEvent *e)
{
    if (compositor_)
        compositor_->button(e->position().toPoint(), x_button(e->button()), false, e->modifiers());
}

void Window_backend::mouseMoveEvent(QMouseEvent *e)
{
    if (compositor_)
        compositor_->motion(e->position().toPoint(), e->modifiers());
}

} // namespace gvm
