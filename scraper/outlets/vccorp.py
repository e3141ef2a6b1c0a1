"""The VCCorp "data-role" CMS family: Tuổi Trẻ, Thanh Niên, Người Lao Động, Soha, GenK (outlets.md, cross-cutting 1).

Each outlet keeps its own skin (headline and lead classes differ) around the same data-role fields and
the same body widgets, which is what this module shares.
"""

from __future__ import annotations

from scraper.outlets.base import Layout

# Photos and video players are VCSortableInPreviewMode widgets; their captions go to the images.
FIGURE = "figure, .VCSortableInPreviewMode[type=Photo], .VCSortableInPreviewMode[type=VideoStream]"
CAPTION = "figcaption, .PhotoCMS_Caption, .VideoCMS_Caption"
# Related boxes are embedded inside the body; type=link is a one-line teaser ("link-content-footer").
# Other VCSortableInPreviewMode widgets (quotes, boxes) are article text and stay (LIVERPOOL keeps them too).
DROP = (
    ".VCSortableInPreviewMode[type=RelatedNewsBox]",
    ".VCSortableInPreviewMode[type=RelatedOneNews]",
    ".VCSortableInPreviewMode[type=link]",
    ".relate-container",
    ".detail__related",
    ".social-top",
    ".box-comment",
    ".ads-wrapper",
    ".box_quangcao",
    "zone",
)


def layout(
    name: str,
    title: str,
    *,
    sapo: str = "[data-role=sapo]",
    body: str = "div.detail-content[data-role=content]",
    authors: str = "[data-role=author]",
    date: str = "[data-role=publishdate]",
    section: str | None = None,
    tags: str | None = None,
    drop: tuple[str, ...] = (),
) -> Layout:
    """A layout of the family: the data-role fields unless the outlet's skin names its own."""
    return Layout(
        name=name,
        title=title,
        body=body,
        sapo=sapo,
        authors=authors,
        date=date,
        section=section,
        tags=tags,
        drop=DROP + drop,
        figure=FIGURE,
        caption=CAPTION,
    )
