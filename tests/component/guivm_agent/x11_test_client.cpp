// SPDX-License-Identifier: MIT
// An ordinary Xlib application for the ward-gui-agent test; it knows nothing of Ward. A 200x150
// window filled red, titled through _NET_WM_NAME (UTF-8, with a right-to-left override the daemon
// must drop) and WM_NAME, and an override-redirect popup filled green. It logs every key and
// button it receives on stdout; a key press repaints the main window blue, retitles it "Pressed"
// and unmaps the popup, so the test sees damage, titles and unmaps travel.
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <cstdio>
#include <cstring>

int main()
{
    Display *dpy = XOpenDisplay(nullptr);
    if (!dpy) {
        std::fprintf(stderr, "x11_test_client: no display\n");
        return 1;
    }
    int const scr = DefaultScreen(dpy);
    Window const root = RootWindow(dpy, scr);
    unsigned long const red = 0xff0000, green = 0x00ff00, blue = 0x0000ff;
    Window const main_w = XCreateSimpleWindow(dpy, root, 50, 60, 200, 150, 0, 0, red);
    XSelectInput(dpy, main_w, KeyPressMask | KeyReleaseMask | ButtonPressMask | ExposureMask);
    XStoreName(dpy, main_w, "legacy name");
    char const title[] = "Farbtest \xe2\x9c\x93\xe2\x80\xae";
    Atom const net_wm_name = XInternAtom(dpy, "_NET_WM_NAME", False);
    Atom const utf8 = XInternAtom(dpy, "UTF8_STRING", False);
    XChangeProperty(dpy, main_w, net_wm_name, utf8, 8, PropModeReplace,
                    reinterpret_cast<unsigned char const *>(title), std::strlen(title));
    XSetWindowAttributes a{};
    a.override_redirect = True;
    a.background_pixel = green;
    Window const popup = XCreateWindow(dpy, root, 400, 300, 60, 40, 0, CopyFromParent, InputOutput,
                                       CopyFromParent, CWOverrideRedirect | CWBackPixel, &a);
    XMapWindow(dpy, main_w);
    XMapWindow(dpy, popup);
    GC gc = XCreateGC(dpy, main_w, 0, nullptr);
    unsigned long colour = red;
    std::printf("client: ready 0x%lx\n", main_w);
    std::fflush(stdout);
    for (;;) {
        XEvent e;
        XNextEvent(dpy, &e);
        if (e.type == Expose) {
            XSetForeground(dpy, gc, colour);
            XFillRectangle(dpy, main_w, gc, 0, 0, 200, 150);
        } else if (e.type == KeyPress || e.type == KeyRelease) {
            KeySym const sym = XLookupKeysym(&e.xkey, 0);
            std::printf("client: key %s keycode %u keysym %s state 0x%x\n",
                        e.type == KeyPress ? "press" : "release", e.xkey.keycode,
                        XKeysymToString(sym) ? XKeysymToString(sym) : "?", e.xkey.state);
            std::fflush(stdout);
            if (e.type == KeyPress && colour != blue) {
                colour = blue;
                XSetForeground(dpy, gc, colour);
                XFillRectangle(dpy, main_w, gc, 0, 0, 200, 150);
                char const t2[] = "Pressed";
                XChangeProperty(dpy, main_w, net_wm_name, utf8, 8, PropModeReplace,
                                reinterpret_cast<unsigned char const *>(t2), std::strlen(t2));
                XUnmapWindow(dpy, popup);
                XFlush(dpy);
            }
        } else if (e.type == ButtonPress) {
            std::printf("client: button %u at %d,%d\n", e.xbutton.button, e.xbutton.x, e.xbutton.y);
            std::fflush(stdout);
        }
    }
}
