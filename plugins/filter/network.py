# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters exposing the environment's network plan to roles."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.envmigrate.aws.plugins.module_utils.network import subnet_layout, vpc_cidr_problems


class FilterModule(object):
    def filters(self):
        return {"vpc_cidr_problems": vpc_cidr_problems, "subnet_layout": subnet_layout}
