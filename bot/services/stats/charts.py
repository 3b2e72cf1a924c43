"""PNG charts of a weekly report, drawn with matplotlib's object API on the Agg canvas.

No pyplot: every figure is its own object, so nothing leaks between charts or threads.
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.core.text import t
from bot.services.stats.report import WeeklyReport

INK = "#1f2933"
MUTED = "#7b8794"
ACCENT = "#2f6fde"
HIGHLIGHT = "#f0a202"
GRID = "#e4e7eb"
RETENTION = LinearSegmentedColormap.from_list(
    "retention", ["#f7fbff", "#9ecae1", "#2171b5", "#08306b"]
)
DPI = 120
NO_DATA = "\u2013"  # an en dash
TOP_CONTENT = 10

CHART_FILES = ("daily-active.png", "cohort-retention.png", "top-content.png")


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.25)
    return out.getvalue()


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(MUTED)
    ax.spines["bottom"].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=9)


def daily_active_chart(report: WeeklyReport) -> bytes:
    """Daily active members over the 8 weeks ending with the report's week."""
    days = [day for day, _ in report.daily_active_history]
    counts = np.array([count for _, count in report.daily_active_history], dtype=float)
    figure = _figure(9, 4)
    ax = figure.add_subplot()
    _style(ax)
    in_week = [day >= report.week.monday for day in days]
    colours = [ACCENT if current else "#a9c4f5" for current in in_week]
    x = np.arange(len(days))
    ax.bar(x, counts, color=colours, width=0.85, label=t("active members that day"))
    if len(counts) >= 7:
        mean = np.convolve(counts, np.ones(7) / 7, mode="valid")
        ax.plot(x[6:], mean, color=HIGHLIGHT, linewidth=2.2, label=t("7-day average"))
    mondays = [i for i, day in enumerate(days) if day.weekday() == 0]
    ax.set_xticks(mondays)
    ax.set_xticklabels([days[i].strftime("%d %b") for i in mondays])
    for i in mondays[1:]:
        ax.axvline(i - 0.5, color=GRID, linewidth=1, zorder=0)
    ax.set_xlim(-0.6, len(days) - 0.4)
    ax.set_ylim(0, max(1.0, float(counts.max(initial=0)) * 1.15))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.grid(True, color=GRID)
    ax.set_axisbelow(True)
    ax.set_ylabel(t("members active"), color=INK)
    ax.set_xlabel(t("day ({timezone}); weeks start on Monday", timezone=report.timezone), color=INK)
    ax.set_title(
        t(
            "Daily active members — 8 weeks to {week}  (mean this week: "
            "{dau}, WAU {wau}, MAU {mau})",
            week=report.week,
            dau=format(report.dau_mean, ",.1f"),
            wau=format(report.wau, ","),
            mau=format(report.mau, ","),
        ),
        color=INK,
        fontsize=11,
        loc="left",
    )
    ax.legend(frameon=False, fontsize=9, loc="upper left")
    return _png(figure)


def cohort_heatmap(report: WeeklyReport) -> bytes:
    """Share of each join-week cohort active k weeks after joining."""
    width = max(len(c.retention) for c in report.cohorts)
    grid = np.full((len(report.cohorts), width), np.nan)
    for row, cohort in enumerate(report.cohorts):
        for k, share in enumerate(cohort.retention):
            if share is not None:
                grid[row, k] = share
    figure = _figure(1.9 + 0.95 * width, 0.9 + 0.48 * len(report.cohorts))
    ax = figure.add_subplot()
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=RETENTION, vmin=0, vmax=1, aspect="auto")
    for row, cohort in enumerate(report.cohorts):
        for k in range(width):
            value = grid[row, k]
            if k < len(cohort.retention) and math.isnan(value):
                ax.text(k, row, NO_DATA, ha="center", va="center", color=MUTED, fontsize=9)
            elif not math.isnan(value):
                colour = "white" if value >= 0.55 else INK
                ax.text(k, row, f"{value:.0%}", ha="center", va="center", color=colour, fontsize=9)
    ax.set_xticks(range(width))
    ax.set_xticklabels([str(k) for k in range(width)])
    ax.set_yticks(range(len(report.cohorts)))
    ax.set_yticklabels([f"{c.week}  (n={c.size:,})" for c in report.cohorts])
    ax.set_xlabel(t("weeks since first joining"), color=INK)
    ax.set_ylabel(t("join week (cohort size)"), color=INK)
    ax.tick_params(length=0, labelsize=9, colors=INK)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title(
        t("Cohort retention — share of each cohort active k weeks later"), color=INK, fontsize=11
    )
    bar = figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(t("share active"), color=INK)
    bar.ax.tick_params(labelsize=8)
    return _png(figure)


def top_content_chart(report: WeeklyReport) -> bytes:
    """The most opened content items of the week, with their share and reach."""
    items = list(report.content[:TOP_CONTENT])
    figure = _figure(9, 1.4 + 0.42 * max(len(items), 2))
    ax = figure.add_subplot()
    _style(ax)
    title = t("Top content — {week} (opens)", week=report.week)
    ax.set_title(title, color=INK, fontsize=11, loc="left")
    if not items:
        ax.text(0.5, 0.5, t("No content was opened this week."), ha="center", va="center",
                color=MUTED, fontsize=11, transform=ax.transAxes)  # fmt: skip
        ax.set_axis_off()
        return _png(figure)
    labels = [_short(c.title or t("item {content_id}", content_id=c.content_id)) for c in items][
        ::-1
    ]
    opens = [c.opens for c in items][::-1]
    y = np.arange(len(items))
    ax.barh(y, opens, color=ACCENT, height=0.65)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    top = max(opens)
    for row, item in enumerate(items[::-1]):
        note = t(
            "{opens}  ·  {share} of opens  ·  reach {reach}",
            opens=format(item.opens, ","),
            share=_pct(item.share),
            reach=_pct(item.reach),
        )
        ax.text(item.opens + top * 0.01, row, note, va="center", color=INK, fontsize=8.5)
    ax.set_xlim(0, top * 1.55)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(t("opens this week"), color=INK)
    ax.xaxis.grid(True, color=GRID)
    ax.set_axisbelow(True)
    return _png(figure)


def report_charts(report: WeeklyReport) -> dict[str, bytes]:
    """All charts of a report, by file name (see `CHART_FILES`)."""
    return dict(
        zip(
            CHART_FILES,
            (daily_active_chart(report), cohort_heatmap(report), top_content_chart(report)),
            strict=True,
        )
    )


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pct(value: float | None) -> str:
    return NO_DATA if value is None else f"{value:.0%}" if value >= 0.1 else f"{value:.1%}"
