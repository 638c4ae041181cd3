# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that check container images and Fargate task sizes before any AWS call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.envmigrate.aws.plugins.module_utils.containers import (
    fargate_size_problems,
    image_problems,
    parse_image,
)


class FilterModule(object):
    def filters(self):
        return {
            "fargate_size_problems": fargate_size_problems,
            "image_problems": image_problems,
            "parse_image": parse_image,
        }
