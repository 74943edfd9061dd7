//! systemd's tables (list-units, list-unit-files, list-timers): columns as
//! wide as their widest cell, one space between, the last column not padded
//! unless it carries colour; on a terminal the table is fitted to its width
//! (columns that ask for little get it, the rest share what is left) and
//! cells that do not fit are ellipsized; the header is underlined, and so
//! are the rows a listing marks.

use super::super::terminal::{NORMAL, Terminal, UNDERLINE, ellipsize, width};

/// One cell: its text and, on a terminal, its colour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub color: Option<&'static str>,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            color: None,
        }
    }

    pub fn colored(text: impl Into<String>, color: Option<&'static str>) -> Self {
        Cell {
            text: text.into(),
            color,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub underline: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    pub show_header: bool,
    /// `--full`: never narrower than the cells ask.
    pub full: bool,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            show_header: true,
            full: false,
        }
    }

    pub fn push(&mut self, cells: Vec<Cell>, underline: bool) {
        self.rows.push(Row { cells, underline });
    }

    /// The table's bytes, one line per row.
    pub fn render(&self, term: &Terminal) -> String {
        let n = self.header.len();
        // An empty column still takes one cell, as in systemd's tables.
        let mut requested = vec![1usize; n];
        if self.show_header {
            for (j, h) in self.header.iter().enumerate() {
                requested[j] = requested[j].max(width(h));
            }
        }
        for row in &self.rows {
            for (j, cell) in row.cells.iter().enumerate().take(n) {
                requested[j] = requested[j].max(width(&cell.text));
            }
        }
        let widths = match term.columns {
            Some(cols) if !self.full => fit(&requested, cols),
            _ => requested.clone(),
        };
        let mut out = String::new();
        if self.show_header {
            let header: Vec<Cell> = self.header.iter().map(Cell::new).collect();
            self.render_row(&mut out, &header, &widths, RowKind::Header, term);
        }
        for row in &self.rows {
            let kind = if row.underline {
                RowKind::Underlined
            } else {
                RowKind::Plain
            };
            self.render_row(&mut out, &row.cells, &widths, kind, term);
        }
        out
    }

    fn render_row(
        &self,
        out: &mut String,
        cells: &[Cell],
        widths: &[usize],
        kind: RowKind,
        term: &Terminal,
    ) {
        let last = widths.len().saturating_sub(1);
        let mut gap_style = String::new();
        for (j, w) in widths.iter().enumerate() {
            let empty = Cell::default();
            let cell = cells.get(j).unwrap_or(&empty);
            let mut text = ellipsize(&cell.text, *w, 100, term);
            let style = if term.colors {
                match kind {
                    RowKind::Header => format!("{NORMAL}{UNDERLINE}"),
                    RowKind::Underlined => {
                        format!("{}{UNDERLINE}", cell.color.unwrap_or(NORMAL))
                    }
                    RowKind::Plain => cell.color.unwrap_or("").to_string(),
                }
            } else {
                String::new()
            };
            let pad = w.saturating_sub(width(&text));
            let keep_padding =
                j != last || (term.colors && (kind != RowKind::Plain || cell.color.is_some()));
            if keep_padding {
                text.push_str(&" ".repeat(pad));
            }
            if j > 0 {
                if kind == RowKind::Header {
                    // The header's separators are inside its underline.
                } else if !gap_style.is_empty() {
                    out.push_str(&gap_style);
                    out.push(' ');
                    out.push_str(NORMAL);
                } else {
                    out.push(' ');
                }
            }
            out.push_str(&style);
            if kind == RowKind::Header && j > 0 {
                out.push(' ');
            }
            out.push_str(&text);
            if !style.is_empty() {
                out.push_str(NORMAL);
            }
            gap_style = style;
        }
        out.push('\n');
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Header,
    Underlined,
    Plain,
}

/// Column widths for a terminal of `columns` cells, as systemd's
/// format-table shares them out: every column weighs the same, a column is
/// never given more than it asks, and one cell is each column's minimum.
fn fit(requested: &[usize], columns: usize) -> Vec<usize> {
    let n = requested.len();
    if n == 0 {
        return Vec::new();
    }
    let separators = n - 1;
    let total: usize = requested.iter().sum::<usize>() + separators;
    if total <= columns {
        return requested.to_vec();
    }
    let minimum = n + separators;
    let effective = columns.max(minimum);
    let mut extra = effective - minimum;
    let mut weight_sum = n * 100;
    let mut widths: Vec<Option<usize>> = vec![None; n];
    let mut finalize = false;
    loop {
        let mut restart = false;
        for j in 0..n {
            if widths[j].is_some() {
                continue;
            }
            let share = match (extra * 100).checked_div(weight_sum) {
                Some(share) => share,
                None => extra / (n - j),
            };
            let mut w = 1 + share;
            if w >= requested[j].max(1) {
                w = requested[j].max(1);
                restart = true;
            } else if !finalize {
                continue;
            }
            widths[j] = Some(w);
            extra -= w - 1;
            weight_sum -= 100;
            if restart && !finalize {
                break;
            }
        }
        if finalize {
            break;
        }
        if !restart {
            finalize = true;
        }
    }
    widths.into_iter().map(|w| w.unwrap_or(1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_gives_the_rest_to_the_columns_that_need_it() {
        // list-units at 80 columns.
        assert_eq!(fit(&[1, 24, 6, 8, 7, 38], 80), vec![1, 24, 6, 8, 7, 29]);
        // list-timers at 80 columns: NEXT gives way.
        assert_eq!(fit(&[27, 8, 4, 6, 15, 17], 80), vec![25, 8, 4, 6, 15, 17]);
        assert_eq!(fit(&[3, 4], 80), vec![3, 4]);
    }

    #[test]
    fn plain_tables_pad_all_but_the_last_column() {
        let mut t = Table::new(&["A", "LONGER"]);
        t.push(vec![Cell::new("xyz"), Cell::new("b")], false);
        assert_eq!(t.render(&Terminal::plain()), "A   LONGER\nxyz b\n");
        t.show_header = false;
        assert_eq!(t.render(&Terminal::plain()), "xyz b\n");
    }
}
