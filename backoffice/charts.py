"""Bar charts drawn as SVG on the server: no script, no library, readable without colour."""

BAR_HEIGHT = 22
GAP = 8
WIDTH = 300


def bar_chart(rows: list[tuple[object, int]]) -> dict:
    """Horizontal bars, one per (label, value); widths relative to the largest value."""
    largest = max((value for _label, value in rows), default=0) or 1
    bars = [
        {
            "label": label if label not in (None, "") else "—",
            "value": value,
            "y": index * (BAR_HEIGHT + GAP),
            "width": max(1, round(WIDTH * value / largest)),
        }
        for index, (label, value) in enumerate(rows)
    ]
    return {"bars": bars, "height": max(len(bars), 1) * (BAR_HEIGHT + GAP), "width": WIDTH}


def week_chart(rows: list[tuple[object, int, int]], height: int = 160) -> dict:
    """Pairs of vertical bars per week: created, then solved."""
    largest = max((max(c, s) for _week, c, s in rows), default=0) or 1
    step = 40
    weeks = []
    for index, (week, created, solved) in enumerate(rows):
        x = index * step
        created_height = round(height * created / largest)
        solved_height = round(height * solved / largest)
        weeks.append(
            {
                "week": week,
                "created": created,
                "solved": solved,
                "x_created": x + 4,
                "x_solved": x + 20,
                "label_x": x + 20,
                "y_created": height - created_height,
                "y_solved": height - solved_height,
                "h_created": created_height,
                "h_solved": solved_height,
            }
        )
    return {"weeks": weeks, "width": step * len(rows), "height": height}
