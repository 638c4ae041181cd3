# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters exposing the collection's naming rules to playbooks and roles."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.envmigrate.aws.plugins.module_utils.naming import env_suffix_problems


class FilterModule(object):
    def filters(self):
        return {"env_suffix_problems": env_suffix_problems}
