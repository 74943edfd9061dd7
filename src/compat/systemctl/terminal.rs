//! What systemctl's output looks like on this stdout: colours, hyperlinks
//! and ellipsizing on a terminal, plain bytes on a pipe, and the locale's
//! glyphs (`●`/`*`, `└─`/`` `- ``, `→`/`->`, `…`/`...`).

use std::io::IsTerminal;

pub const NORMAL: &str = "\x1b[0m";
pub const UNDERLINE: &str = "\x1b[0;4m";
pub const RED: &str = "\x1b[0;1;31m";
pub const GREEN: &str = "\x1b[0;1;32m";
pub const GREY: &str = "\x1b[0;38;5;245m";
pub const HIGHLIGHT: &str = "\x1b[0;1;39m";
pub const YELLOW: &str = "\x1b[0;1;38;5;185m";

/// The facts a renderer needs about where its bytes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terminal {
    /// Escape sequences for colour and underline.
    pub colors: bool,
    /// OSC 8 hyperlinks around paths and man pages.
    pub urlify: bool,
    /// Non-ASCII glyphs.
    pub utf8: bool,
    /// Width to ellipsize to; None on a pipe or with `--full`.
    pub columns: Option<usize>,
    /// The host name, for `file://HOST/path` links.
    pub hostname: String,
}

impl Terminal {
    /// A pipe in a UTF-8 locale: what most goldens show.
    pub fn plain() -> Self {
        Terminal {
            colors: false,
            urlify: false,
            utf8: true,
            columns: None,
            hostname: String::new(),
        }
    }

    /// A UTF-8 terminal of `columns` with colours, as the `*-tty` goldens ran.
    pub fn tty(columns: usize, hostname: &str) -> Self {
        Terminal {
            colors: true,
            urlify: true,
            utf8: true,
            columns: Some(columns),
            hostname: hostname.to_string(),
        }
    }

    /// Looks at the environment and stdout as systemctl does.
    pub fn detect() -> Self {
        let on_tty = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
        let term_dumb = std::env::var("TERM").map_or(true, |t| t == "dumb");
        let colors = match std::env::var("SYSTEMD_COLORS").ok().as_deref() {
            Some(v) => super::args::parse_boolean(v).unwrap_or(matches!(v, "16" | "256" | "24bit")),
            None => std::env::var_os("NO_COLOR").is_none() && on_tty && !term_dumb,
        };
        let urlify = colors
            && std::env::var("SYSTEMD_URLIFY")
                .ok()
                .and_then(|v| super::args::parse_boolean(&v))
                .unwrap_or(true);
        let columns = on_tty.then(terminal_columns);
        Terminal {
            colors,
            urlify,
            utf8: locale_is_utf8(),
            columns,
            hostname: nix::unistd::gethostname()
                .map(|h| h.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
    }

    pub fn paint(&self, color: &str, text: &str) -> String {
        if self.colors {
            format!("{color}{text}{NORMAL}")
        } else {
            text.to_string()
        }
    }

    /// An OSC 8 hyperlink, where hyperlinks are on.
    pub fn link(&self, url: &str, text: &str) -> String {
        if self.urlify {
            format!("\x1b]8;;{url}\x07{text}\x1b]8;;\x07")
        } else {
            text.to_string()
        }
    }

    pub fn file_link(&self, path: &str) -> String {
        self.link(&format!("file://{}{path}", self.hostname), path)
    }

    pub fn glyph(&self, glyph: Glyph) -> &'static str {
        let (utf8, ascii) = match glyph {
            Glyph::BlackCircle => ("●", "*"),
            Glyph::WhiteCircle => ("○", "*"),
            Glyph::Cross => ("×", "x"),
            Glyph::TreeBranch => ("├─", "|-"),
            Glyph::TreeRight => ("└─", "`-"),
            Glyph::TreeVertical => ("│ ", "| "),
            Glyph::TreeSpace => ("  ", "  "),
            Glyph::Arrow => ("→", "->"),
            Glyph::Ellipsis => ("…", "..."),
            Glyph::Bullet => ("•", "*"),
        };
        if self.utf8 { utf8 } else { ascii }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyph {
    BlackCircle,
    WhiteCircle,
    Cross,
    TreeBranch,
    TreeRight,
    TreeVertical,
    TreeSpace,
    Arrow,
    Ellipsis,
    Bullet,
}

/// `$COLUMNS`, else the terminal's width, else 80.
fn terminal_columns() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return n;
    }
    let mut size = nix::libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes a winsize into the struct we pass.
    let ok = unsafe { nix::libc::ioctl(1, nix::libc::TIOCGWINSZ, &mut size) } == 0;
    if ok && size.ws_col > 0 {
        usize::from(size.ws_col)
    } else {
        80
    }
}

/// systemd's is_locale_utf8(): `$SYSTEMD_UTF8`, else the first of
/// `LC_ALL`, `LC_CTYPE`, `LANG` that is set; no locale at all counts as
/// UTF-8, `C` and `POSIX` do not.
pub fn locale_is_utf8() -> bool {
    if let Some(v) = std::env::var("SYSTEMD_UTF8")
        .ok()
        .and_then(|v| super::args::parse_boolean(&v))
    {
        return v;
    }
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    match locale {
        None => true,
        Some(l) if l == "C" || l == "POSIX" => false,
        Some(l) => {
            let l = l.to_ascii_lowercase();
            l.contains("utf-8") || l.contains("utf8")
        }
    }
}

/// How many terminal cells a string takes (escape sequences take none).
pub fn width(text: &str) -> usize {
    let mut n = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI ... letter, or OSC ... BEL.
            match chars.next() {
                Some('[') => {
                    for d in chars.by_ref() {
                        if d.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
                Some(']') => {
                    for d in chars.by_ref() {
                        if d == '\x07' {
                            break;
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        n += char_width(c);
    }
    n
}

fn char_width(c: char) -> usize {
    let cp = c as u32;
    if cp < 0x20 || (0x7f..0xa0).contains(&cp) {
        return 0;
    }
    // Combining marks take no cell.
    if (0x300..0x370).contains(&cp) || (0x200b..=0x200f).contains(&cp) {
        return 0;
    }
    // East Asian wide ranges.
    let wide = (0x1100..=0x115f).contains(&cp)
        || (0x2e80..=0xa4cf).contains(&cp)
        || (0xac00..=0xd7a3).contains(&cp)
        || (0xf900..=0xfaff).contains(&cp)
        || (0xfe30..=0xfe4f).contains(&cp)
        || (0xff00..=0xff60).contains(&cp)
        || (0xffe0..=0xffe6).contains(&cp)
        || (0x1f300..=0x1f64f).contains(&cp)
        || (0x20000..=0x3fffd).contains(&cp);
    if wide { 2 } else { 1 }
}

/// systemd's ellipsize_mem(): shortens plain text to `columns` cells with
/// an ellipsis placed `percent`% of the way in (100: at the end).
pub fn ellipsize(text: &str, columns: usize, percent: usize, term: &Terminal) -> String {
    if width(text) <= columns {
        return text.to_string();
    }
    let ellipsis = term.glyph(Glyph::Ellipsis);
    let ell_width = width(ellipsis);
    if columns <= ell_width {
        return ellipsis.chars().take(columns).collect();
    }
    let room = columns - ell_width;
    let head_cells = ((room * percent.min(100) + 50) / 100).min(room);
    let tail_cells = room - head_cells;
    let chars: Vec<char> = text.chars().collect();
    let mut head = String::new();
    let mut used = 0;
    for c in &chars {
        let w = char_width(*c);
        if used + w > head_cells {
            break;
        }
        used += w;
        head.push(*c);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in chars.iter().rev() {
        let w = char_width(*c);
        if used + w > tail_cells {
            break;
        }
        used += w;
        tail.push(*c);
    }
    tail.reverse();
    let mut out = head;
    out.push_str(ellipsis);
    out.extend(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_skip_escapes() {
        assert_eq!(width("\x1b[0;1;32m●\x1b[0m x"), 3);
        assert_eq!(width("\x1b]8;;file://h/x\x07/x\x1b]8;;\x07"), 2);
    }

    #[test]
    fn ellipsizing_keeps_head_and_tail_by_percent() {
        let t = Terminal::plain();
        assert_eq!(
            ellipsize("Demo oneshot that remains active", 29, 100, &t),
            "Demo oneshot that remains ac…"
        );
        assert_eq!(ellipsize("abcdefghij", 5, 50, &t), "ab…ij");
        assert_eq!(ellipsize("short", 10, 100, &t), "short");
    }
}
