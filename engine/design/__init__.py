"""Design-time use cases: deploying definitions as immutable versions (definitions), the
catalogue of deployed processes (catalog), the designer's drafts (drafts) and the version
reads and copies of the designer (versions). Nothing here runs an instance.

Who may design: `access.require_designer` (administrators and process administrators), the same
people who may open the designer pages.
"""
