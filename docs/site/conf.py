"""Sphinx configuration of the documentation site (`make docs`).

Started from what `antsibull-docs sphinx-init --use-current envmigrate.aws` generates, then trimmed:

* No intersphinx. The site builds offline, so nothing may be downloaded; references into other
  collections' documentation (amazon.aws, community.aws, ansible.builtin, ...) become plain links to
  docs.ansible.com instead (`link_docs_ansible_com` below).
* README.md and docs/*.md are pages of the site, read by myst-parser.

`make docs` assembles the source directory: the plugin and role pages written by `antsibull-docs collection`
under collections/, this directory's index.rst, README.md and docs/. This file is a build tool's file, not part
of the collection (galaxy.yml build_ignore).
"""

import re

from docutils import nodes

project = "envmigrate.aws"
copyright = "envmigrate maintainers"  # the name Sphinx reads

title = "envmigrate.aws documentation"
html_short_title = "envmigrate.aws"

extensions = ["myst_parser", "sphinx_antsibull_ext"]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"

pygments_style = "ansible"
highlight_language = "YAML+Jinja"

html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

default_role = "any"
# Every reference must resolve (with sphinx-build -W a broken one fails the build).
nitpicky = True

# The Markdown pages link to headings of other pages (runbook-cutover.md#rollback) as GitHub does.
myst_heading_anchors = 3

# --- References into docs.ansible.com -------------------------------------------------------------------------
# antsibull-docs writes M(amazon.aws.lambda) as a reference to the label ansible_collections.amazon.aws.lambda_module
# (an option adds __parameter-<name>, a return value __return-<name>), and uses a few labels of Ansible's own
# documentation. Labels of envmigrate.aws are on this site; the others would need intersphinx inventories from the
# network, so they become links to docs.ansible.com.
ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/latest"
OTHER_COLLECTIONS_DOCS = f"{ANSIBLE_DOCS}/collections"
# The labels of Ansible's own documentation that antsibull-docs' templates refer to, and their pages.
ANSIBLE_DOCS_LABELS = {
    "common_return_values": "reference_appendices/common_return_values.html",
    "ansible_configuration_settings": "reference_appendices/config.html",
}
OWN_COLLECTION = ("envmigrate", "aws")
COLLECTION_LABEL = re.compile(
    r"^ansible_collections\.(?P<namespace>\w+)\.(?P<name>\w+)\."
    r"(?P<page>[\w.]+?)(?:__(?P<anchor>(?:parameter|return|attribute)-[\w/.-]+))?$"
)


def docs_ansible_com_url(label):
    """The docs.ansible.com address of a label of Ansible's documentation or of another collection, or None."""
    if label in ANSIBLE_DOCS_LABELS:
        return f"{ANSIBLE_DOCS}/{ANSIBLE_DOCS_LABELS[label]}"
    match = COLLECTION_LABEL.match(label)
    if match is None or (match["namespace"], match["name"]) == OWN_COLLECTION:
        return None
    url = f"{OTHER_COLLECTIONS_DOCS}/{match['namespace']}/{match['name']}/{match['page']}.html"
    if match["anchor"]:
        url += f"#{match['anchor']}"
    return url


def link_docs_ansible_com(app, env, node, contnode):
    """Sphinx missing-reference handler: a label of docs.ansible.com becomes an external link to it."""
    if node.get("refdomain") != "std" or node.get("reftype") not in ("ref", "any"):
        return None
    url = docs_ansible_com_url(node["reftarget"])
    if url is None:
        return None
    return nodes.reference("", "", contnode, refuri=url, internal=False)


def setup(app):
    app.connect("missing-reference", link_docs_ansible_com)
